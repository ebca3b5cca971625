-- wrk script: feedback submitted through the API as fast as the server takes it,
-- each request to a random location, from a random client address (run the server
-- with --trust-forwarded-for so per-address limits apply per simulated person).
-- Location IDs come from the file named by IDS (one per line), for example:
--   sqlite3 demo.db "SELECT id FROM locations" > /tmp/ids.txt
-- Usage: IDS=/tmp/ids.txt wrk -t2 -c64 -d30s --latency -s bench/feedback.lua http://127.0.0.1:8080
local ids = {}
local answers = '"answers":{"choice":"good_enough","safe":"just_as_i_want","dignity":"just_as_i_want",' ..
  '"listened":"good_enough","matters":"some_not_enough","in_touch":"not_applicable",' ..
  '"reliable":"good_enough","information":"just_as_i_want"}'
local overall = { "very_good", "good", "good", "neither", "poor" }

init = function(args)
  for line in io.lines(os.getenv("IDS")) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local id = ids[math.random(#ids)]
  local body = '{"respondent":"person","overall":"' .. overall[math.random(#overall)] .. '",' .. answers ..
    ',"story":"Staff are kind and the food is good, but evenings can be lonely."}'
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255), math.random(1, 254)),
  }
  return wrk.format("POST", "/api/v1/locations/" .. id .. "/feedback", headers, body)
end
-- wrk's summary counts any non-2xx answer ("Non-2xx or 3xx responses"): it must be absent.

-- With PAUSE_MS set, each connection waits that long between requests (a paced load:
-- 64 connections and PAUSE_MS=80 give about 700 submissions a second).
local pause_ms = tonumber(os.getenv("PAUSE_MS") or "0")
if pause_ms > 0 then
  delay = function()
    return pause_ms
  end
end
