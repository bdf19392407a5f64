-- wrk script for bench/queue_bench.py: customers polling their places in a line.
--   wrk ... -s wrk_queue_polls.lua BASE_URL -- <tokens file> <threads> <offset>
-- Each request polls GET /api/v1/queue/<token> with the next token of the file (thread t
-- takes tokens t, t+T, t+2T, ..., wrapping around), so the places are polled in turn, as
-- every customer of the line polls its own. Statuses are counted from the bodies; 429 and
-- 5xx apart (bench_report.verdict fails the run on any); done() prints "BENCH_JSON {...}".

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

-- Globals (not locals) so that done() can read them with thread:get().
counter = 0
non200 = 0
s429 = 0
s5xx = 0
waiting = 0
admitted = 0
other = 0

local tokens = {}
local stride = 1
local offset = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then
      table.insert(tokens, line)
    end
  end
  stride = tonumber(args[2] or "1")
  offset = tonumber(args[3] or "0")
end

function request()
  local index = offset + (thread_id - 1) + counter * stride
  counter = counter + 1
  local place = index % #tokens
  -- Each customer polls from an address of their own (the server trusts one proxy hop).
  local address = string.format("10.%d.%d.%d", math.floor(place / 65536) % 256,
    math.floor(place / 256) % 256, place % 256)
  return wrk.format("GET", "/api/v1/queue/" .. tokens[place + 1],
    { ["X-Forwarded-For"] = address })
end

function response(status, headers, body)
  if status == 429 then
    s429 = s429 + 1
  elseif status >= 500 and status <= 599 then
    s5xx = s5xx + 1
  end
  if status ~= 200 then
    non200 = non200 + 1
  elseif string.find(body, '"status":"waiting"', 1, true) then
    waiting = waiting + 1
  elseif string.find(body, '"status":"admitted"', 1, true) then
    admitted = admitted + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local bad, r429, r5xx, w, a, o = 0, 0, 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non200") or 0)
    r429 = r429 + (thread:get("s429") or 0)
    r5xx = r5xx + (thread:get("s5xx") or 0)
    w = w + (thread:get("waiting") or 0)
    a = a + (thread:get("admitted") or 0)
    o = o + (thread:get("other") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non200":%d,"s429":%d,"s5xx":%d,'
      .. '"waiting":%d,"admitted":%d,"other":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,'
      .. '"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, bad, r429, r5xx, w, a, o, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
