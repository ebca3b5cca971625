-- wrk script: paced requests to location pages (with their "What people say"
-- section) chosen at random from the file named by IDS (one location ID per line).
-- Each connection waits `PAUSE_MS` between requests: rate ≈ connections × 1000 / PAUSE_MS.
-- Usage: IDS=/tmp/ids.txt PAUSE_MS=50 wrk -t2 -c10 -d30s --latency -s bench/location.lua http://127.0.0.1:8080
local ids = {}
local pause_ms = tonumber(os.getenv("PAUSE_MS") or "50")

init = function(args)
  for line in io.lines(os.getenv("IDS")) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  return wrk.format("GET", "/locations/" .. ids[math.random(#ids)])
end

delay = function()
  return pause_ms
end
