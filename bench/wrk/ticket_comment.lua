-- Comment on a ticket (repeatable, no If-Match: PartyGrid locks the row FOR UPDATE), as the
-- grid worker, rotating over open tickets of their grid (BENCH_IDS).
dofile("bench/wrk/common.lua")
local h = {}
for k, v in pairs(bench.headers) do h[k] = v end
h["Content-Type"] = "application/json"
local body = '{"note":"bench: checked on site"}'
request = function()
  return wrk.format("POST", "/api/v1/tickets/" .. bench.next_id() .. "/actions/comment", h, body)
end
