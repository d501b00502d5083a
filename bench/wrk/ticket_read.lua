-- The mobile app's ticket screen: GET /tickets/{id} and GET /tickets/{id}/timeline,
-- alternately, as the grid worker (BENCH_IDS: tickets of their grid).
dofile("bench/wrk/common.lua")
local flip = false
request = function()
  flip = not flip
  if flip then return wrk.format("GET", "/api/v1/tickets/" .. bench.next_id(), bench.headers) end
  return wrk.format("GET", "/api/v1/tickets/" .. bench.ids[(calls % #bench.ids) + 1] .. "/timeline", bench.headers)
end
