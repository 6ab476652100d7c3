-- wrk load for durable order intake: alternating bids (buyer keys) and offers (provider keys), every request a new
-- order id (a fixed body would only measure the idempotent-repeat path). Keys come from the environment, one each or
-- comma-separated lists (requests take them in turn: the API limits requests per key, docs/api.md "Limits"):
--   BUYER_KEY=cnk_… PROVIDER_KEY=cnk_… wrk -t2 -c64 -d20s --latency -s orders.lua http://127.0.0.1:5099
--   BUYER_KEYS=cnk_a,cnk_b PROVIDER_KEYS=cnk_c,cnk_d wrk …
-- Non-201 answers are counted (429s apart) and printed at the end.
local function keys(list, one)
  local found = {}
  for key in string.gmatch(os.getenv(list) or os.getenv(one) or "", "[^,]+") do
    table.insert(found, "Bearer " .. key)
  end
  return found
end
local buyers = keys("BUYER_KEYS", "BUYER_KEY")
local providers = keys("PROVIDER_KEYS", "PROVIDER_KEY")
-- RUN (optional) prefixes the ids, so a second run against the same host sends new orders, not repeats.
local run = os.getenv("RUN") or ""
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local n = 0
failed = 0  -- globals: done() reads them from each thread
limited = 0

request = function()
  n = n + 1
  local id = run .. tid .. "-" .. n
  if n % 2 == 0 then
    local body = string.format('{"id":"b%s","family":"intelligent","devices":%d,"minScuPerDevice":"0","minMemoryGb":0,' ..
      '"from":"2027-01-01T00:00:00+08:00","to":"2027-01-02T00:00:00+08:00","tier":"cross-hub","minGreen":"0",' ..
      '"price":"%.2f","commitment":"on-demand","split":true,"tif":"GTC"}', id, 1 + n % 8, 55 + (n % 7) * 0.5)
    return wrk.format("POST", "/v1/bids", {["Content-Type"] = "application/json", ["Authorization"] = buyers[math.floor(n / 2) % #buyers + 1]}, body)
  end
  local body = string.format('{"id":"o%s","cluster":"zhongwei","resourceClass":"ai-fp16-80g","devices":%d,' ..
    '"from":"2027-01-01T00:00:00+08:00","to":"2027-01-02T00:00:00+08:00","price":"%.2f"}', id, 1 + n % 8, 56 + (n % 7) * 0.5)
  return wrk.format("POST", "/v1/offers", {["Content-Type"] = "application/json", ["Authorization"] = providers[math.floor(n / 2) % #providers + 1]}, body)
end

response = function(status, headers, body)
  if status == 429 then limited = limited + 1 elseif status ~= 201 then failed = failed + 1 end
end

done = function(summary, latency, requests)
  local notCreated, held = 0, 0
  for _, thread in ipairs(threads) do
    notCreated = notCreated + thread:get("failed")
    held = held + thread:get("limited")
  end
  io.write(string.format("answers other than 201: %d (and %d × 429 rate-limited); latency p50 %.1f ms, p99 %.1f ms\n", notCreated, held,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
