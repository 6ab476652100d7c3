-- wrk load of guessed API keys: every request GET /v1/parties/me with a new random cnk_… key, as a key-guessing flood
-- would send. 401 answers were looked up (one indexed read each); 429 answers were held by the per-address limit
-- before any lookup. Prints both counts at the end.
--   wrk -t2 -c64 -d20s -s unknown-keys.lua http://127.0.0.1:5099
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local n = 0
unauthorized = 0  -- globals: done() reads them from each thread
limited = 0
other = 0

function init(args)
  math.randomseed(os.time() * 1000 + tid)
end

request = function()
  n = n + 1
  local chars = {}
  for i = 1, 43 do
    local k = math.random(1, #alphabet)
    chars[i] = string.sub(alphabet, k, k)
  end
  return wrk.format("GET", "/v1/parties/me", {["Authorization"] = "Bearer cnk_" .. table.concat(chars)})
end

response = function(status, headers, body)
  if status == 401 then unauthorized = unauthorized + 1
  elseif status == 429 then limited = limited + 1
  else other = other + 1 end
end

done = function(summary, latency, requests)
  local u, l, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    u = u + thread:get("unauthorized")
    l = l + thread:get("limited")
    o = o + thread:get("other")
  end
  io.write(string.format("unknown keys: %d answered 401 (looked up), %d answered 429 (held before any lookup), %d other\n", u, l, o))
end
