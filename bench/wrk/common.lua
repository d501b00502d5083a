-- Shared by the scenario scripts (loaded with dofile; run wrk from the repository root).
-- Parameters come from the environment (bench/run.py sets them):
--   BENCH_TOKEN  bearer token      BENCH_IDS  comma-separated ids to rotate over
-- done() prints one line "BENCH_JSON {...}": requests/s, latency p50/p90/p99 in ms, socket
-- errors and the count of non-2xx responses (counted per thread in response()).
bench = {}
bench.token = os.getenv("BENCH_TOKEN") or ""
bench.ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS") or "", "[^,]+") do
  table.insert(bench.ids, id)
end
bench.headers = {}
if bench.token ~= "" then bench.headers["Authorization"] = "Bearer " .. bench.token end

local threads = {}
local counter = 1

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

non2xx = 0
statuses = {}
calls = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
    if non2xx <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n") end
  end
end

-- The next id of the rotation, each thread starting at a different offset.
function bench.next_id()
  calls = calls + 1
  local n = #bench.ids
  return bench.ids[((calls + (thread_id or 0) * 7) % n) + 1]
end

function done(summary, latency, requests)
  local bad, codes = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    local s = t:get("statuses")
    if s then for k, v in pairs(s) do codes[k] = (codes[k] or 0) + v end end
  end
  local parts = {}
  for k, v in pairs(codes) do table.insert(parts, string.format('"%d":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.2f,"p90_ms":%.2f,' ..
    '"p99_ms":%.2f,"max_ms":%.2f,"non2xx":%d,"status_counts":{%s},"errors":{"connect":%d,' ..
    '"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, bad, table.concat(parts, ","), e.connect, e.read, e.write, e.status,
    e.timeout))
end
