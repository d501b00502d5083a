-- Statistics of a street subtree over a year, grouped by its children, as the street admin.
dofile("bench/wrk/common.lua")
local path = string.format("/api/v1/tickets/stats?group_by=subtree&under=%s&from=%s&to=%s",
  os.getenv("BENCH_UNDER"), os.getenv("BENCH_FROM"), os.getenv("BENCH_TO"))
request = function() return wrk.format("GET", path, bench.headers) end
