-- wrk script for bench/scan_bench.py.
--   wrk ... -s wrk_scans.lua URL -- <codes file> <scanner key> <event id> <threads> <offset>
-- Each request scans the next code of the file (thread t takes codes t, t+T, t+2T, ...), so
-- every scan admits a fresh ticket while codes last. Every response that is not a 200 with
-- "success":true is counted; done() prints one line "BENCH_JSON {...}".

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

counter = 0
refused = 0
non200 = 0
s429 = 0
s5xx = 0

local codes = {}
local event_id = "0"
local stride = 1
local offset = 0

function init(args)
  for line in io.lines(args[1]) do
    table.insert(codes, line)
  end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  event_id = args[3]
  stride = tonumber(args[4] or "1")
  offset = tonumber(args[5] or "0")
end

function request()
  local index = offset + (thread_id - 1) + counter * stride
  counter = counter + 1
  local code = codes[(index % #codes) + 1]
  local body = '{"qrPayload":"' .. code .. '","eventId":' .. event_id .. ',"gate":"G' .. thread_id .. '"}'
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
  elseif not string.find(body, '"success":true', 1, true) then
    refused = refused + 1
  end
end

function done(summary, latency, requests)
  local bad, no, r429, r5xx = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non200") or 0)
    r429 = r429 + (thread:get("s429") or 0)
    r5xx = r5xx + (thread:get("s5xx") or 0)
    no = no + (thread:get("refused") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non200":%d,"s429":%d,"s5xx":%d,"refused":%d,"connect":%d,'
      .. '"read":%d,"write":%d,"timeout":%d,"p50_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\n',
    summary.requests, summary.duration, bad, r429, r5xx, no, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
