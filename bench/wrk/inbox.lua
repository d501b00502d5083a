-- A grid worker's inbox (their open tickets by deadline), as that grid worker.
dofile("bench/wrk/common.lua")
request = function() return wrk.format("GET", "/api/v1/tickets/inbox", bench.headers) end
