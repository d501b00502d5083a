-- A street subtree's members, page of 50, as its street admin (BENCH_UNDER: street org id).
dofile("bench/wrk/common.lua")
local path = "/api/v1/members?under=" .. os.getenv("BENCH_UNDER") .. "&limit=50"
request = function() return wrk.format("GET", path, bench.headers) end
