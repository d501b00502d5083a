-- Read one member as the street admin whose subtree holds it (BENCH_IDS: member ids).
dofile("bench/wrk/common.lua")
request = function()
  return wrk.format("GET", "/api/v1/members/" .. bench.next_id(), bench.headers)
end
