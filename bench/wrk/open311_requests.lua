-- Open311 GeoReport v2 list of service requests: public, no credentials (the public rate
-- limit is raised with PARTYGRID_PUBLIC_RATE_LIMIT for the benchmark).
dofile("bench/wrk/common.lua")
request = function() return wrk.format("GET", "/open311/v2/requests.json") end
