-- wrk script for the API benchmark.
--   wrk ... -s wrk.lua <url> -- [ids-file]
-- With an ids file (one ID per line), each request asks for the next ID in turn (a different
-- feeder each time, as real traffic would), replacing the literal text {id} in the URL path.
-- At the end it prints one JSON line with the request count, errors and latency percentiles.

local ids = {}
local next_id = 1
local threads_set_up = 0

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if line ~= "" then ids[#ids + 1] = line end
    end
    -- threads start at different places in the list
    next_id = (math.floor(#ids / 7) * (thread_number or 0)) % #ids + 1
  end
end

function setup(thread)
  thread:set("thread_number", threads_set_up)
  threads_set_up = threads_set_up + 1
end

function request()
  if #ids == 0 then
    return wrk.format("GET", wrk.path)
  end
  local id = ids[next_id]
  next_id = next_id % #ids + 1
  return wrk.format("GET", (wrk.path:gsub("{id}", id)))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
