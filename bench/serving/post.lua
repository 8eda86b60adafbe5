-- Posts bench/serving/lead.json (a 30-field sample lead) to the URL's path.
-- LEADS (optional, default 100000): each request's "leadId" is one of that many ids picked at random, as when a CRM scores
-- its open leads again as they change (the prediction log then inserts all over its lead index, not at one place).
-- LEADS=0 sends the file's own id every time. Both routes get the same bodies.
-- PACE_DELAY_MS (optional) waits that long before each request on every connection: with C connections the rate is
-- about C * 1000 / (PACE_DELAY_MS + latency) requests/s, which approximates wrk2's -R (wrk has no rate option).
local f = assert(io.open(os.getenv("LEAD_JSON") or "lead.json", "r"))
wrk.method = "POST"
local body = f:read("*a")
f:close()
wrk.body = body
local leads = tonumber(os.getenv("LEADS") or "100000")
local before, after
if leads > 0 then
  local s, e = body:find('"leadId"%s*:%s*"[^"]*"')
  assert(s, "the lead file has no leadId")
  before, after = body:sub(1, s - 1), body:sub(e + 1)
end
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Api-Key"] = os.getenv("BENCH_KEY") or "bench-key"

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

if leads > 0 then
  function request()
    return wrk.format(nil, nil, nil, before .. string.format('"leadId": "L-%06d"', math.random(leads)) .. after)
  end
end

local pace = tonumber(os.getenv("PACE_DELAY_MS") or "0")
if pace > 0 then
  function delay() return pace end
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status, summary.errors.status))
end
