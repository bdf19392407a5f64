-- wrk script for bench/orders_bench.py.
--   wrk ... -s wrk_orders.lua URL -- <get|post> <run prefix> <ticket type id>
-- "post" sends a single-ticket paid order with a wp_order_id unique per request
-- (<prefix>-<thread>-<counter>); "get" sends a plain GET. Every response that is not a 200
-- is counted, and done() prints one line "BENCH_JSON {...}" for the Python side to read.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

-- Globals (not locals) so that done() can read them with thread:get().
counter = 0
non200 = 0
s429 = 0
s5xx = 0

local mode = "get"
local prefix = "wrk"
local ticket_type = 0

local ORDER = '{"wp_order_id":"%s-%d-%d","wp_user_id":%d,"date_paid":"2026-06-01T10:01:00Z",'
  .. '"order_lines":[{"tp_event_ticket_id":%d,"name":"GA","quantity":1,"product_id":1,'
  .. '"order_item_type":"line_item","unit_price":29.95}]}'

function init(args)
  mode = args[1] or "get"
  prefix = args[2] or "wrk"
  ticket_type = tonumber(args[3] or "0")
  if mode == "post" then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  if mode ~= "post" then
    return wrk.format("GET")
  end
  counter = counter + 1
  local body = string.format(ORDER, prefix, thread_id, counter, counter, ticket_type)
  return wrk.format("POST", nil, nil, body)
end

function response(status, headers, body)
  -- 429 and 5xx counted apart: bench_report.verdict fails the run on any of them.
  if status == 429 then
    s429 = s429 + 1
  elseif status >= 500 and status <= 599 then
    s5xx = s5xx + 1
  end
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad, r429, r5xx = 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non200") or 0)
    r429 = r429 + (thread:get("s429") or 0)
    r5xx = r5xx + (thread:get("s5xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non200":%d,"s429":%d,"s5xx":%d,"connect":%d,"read":%d,'
      .. '"write":%d,"timeout":%d,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, bad, r429, r5xx, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
