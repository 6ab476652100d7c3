-- wrk load for durable order intake: alternating bids (buyer key) and offers (provider key), every request a new
-- order id (a fixed body would only measure the idempotent-repeat path). Keys come from the environment:
--   BUYER_KEY=cnk_… PROVIDER_KEY=cnk_… wrk -t2 -c64 -d20s --latency -s orders.lua http://127.0.0.1:5099
-- Non-201 answers are counted and printed at the end.
local buyer = "Bearer " .. os.getenv("BUYER_KEY")
local provider = "Bearer " .. os.getenv("PROVIDER_KEY")
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
failed = 0  -- global: done() reads it from each thread

request = function()
  n = n + 1
  local id = run .. tid .. "-" .. n
  if n % 2 == 0 then
    local body = string.format('{"id":"b%s","family":"intelligent","devices":%d,"minScuPerDevice":"0","minMemoryGb":0,' ..
      '"from":"2027-01-01T00:00:00+08:00","to":"2027-01-02T00:00:00+08:00","tier":"cross-hub","minGreen":"0",' ..
      '"price":"%.2f","commitment":"on-demand","split":true,"tif":"GTC"}', id, 1 + n % 8, 55 + (n % 7) * 0.5)
    return wrk.format("POST", "/v1/bids", {["Content-Type"] = "application/json", ["Authorization"] = buyer}, body)
  end
  local body = string.format('{"id":"o%s","cluster":"zhongwei","resourceClass":"ai-fp16-80g","devices":%d,' ..
    '"from":"2027-01-01T00:00:00+08:00","to":"2027-01-02T00:00:00+08:00","price":"%.2f"}', id, 1 + n % 8, 56 + (n % 7) * 0.5)
  return wrk.format("POST", "/v1/offers", {["Content-Type"] = "application/json", ["Authorization"] = provider}, body)
end

response = function(status, headers, body)
  if status ~= 201 then failed = failed + 1 end
end

done = function(summary, latency, requests)
  local notCreated = 0
  for _, thread in ipairs(threads) do notCreated = notCreated + thread:get("failed") end
  io.write(string.format("answers other than 201: %d; latency p50 %.1f ms, p99 %.1f ms\n", notCreated,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
