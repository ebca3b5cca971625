-- wrk script: paced requests to the directory page with a different filter each time.
-- Each connection waits `pause_ms` between requests, so total rate ≈ connections × 1000 / pause_ms.
-- Usage: wrk -t2 -c10 -d30s --latency -s bench/directory.lua http://127.0.0.1:8080
local paths = {
  "/locations?region=north_west&service=care_home",
  "/locations?local_authority=Leeds&sort=rating_worst",
  "/locations?rating=inadequate",
  "/locations?postcode=LS1",
  "/locations?name=house&page=3",
  "/locations?specialism=Dementia&region=london",
  "/locations?service=homecare&rating=outstanding&sort=recently_rated",
  "/locations?local_authority=Kent&service=care_home_nursing&sort=beds",
}
local pause_ms = tonumber(os.getenv("PAUSE_MS") or "50")
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

delay = function()
  return pause_ms
end
