-- Which grid contains a point (inside the grid worker's grid), as the grid worker.
dofile("bench/wrk/common.lua")
local path = "/api/v1/grids/locate?lon=" .. os.getenv("BENCH_LON") .. "&lat=" .. os.getenv("BENCH_LAT")
request = function() return wrk.format("GET", path, bench.headers) end
