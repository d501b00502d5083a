-- Report a ticket from the grid app, as the grid worker: a point inside their grid and a
-- unique Idempotency-Key per request (BENCH_RUN prefix, thread id, counter).
dofile("bench/wrk/common.lua")
local run = os.getenv("BENCH_RUN") or "run"
local body = string.format(
  '{"category_code":"%s","channel":"grid_app","title":"bench ticket","description":' ..
  '"synthetic load: reported by bench/wrk/ticket_create.lua","priority":3,"lon":%s,"lat":%s}',
  os.getenv("BENCH_CATEGORY"), os.getenv("BENCH_LON"), os.getenv("BENCH_LAT"))
local n = 0
request = function()
  n = n + 1
  local h = {}
  for k, v in pairs(bench.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  h["Idempotency-Key"] = run .. "-" .. (thread_id or 0) .. "-" .. n
  return wrk.format("POST", "/api/v1/tickets", h, body)
end
