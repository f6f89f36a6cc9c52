-- wrk script: checks that every response is 200 and its body one whole
-- version of the handler ("vN." repeated 200 + N % 50 times, http-lib.c),
-- and prints one line the driver reads:
--   checked=<responses> bad_bodies=<n> failed=<errors + non-200> p99_ms=<ms> versions=<distinct>
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

local expected = {}
checked, bad, seen = 0, 0, 0
local versions = {}

local function whole(body)
    local n = body:match("^v(%d+)%.")
    if not n then
        return nil
    end
    local want = expected[n]
    if not want then
        want = string.rep("v" .. n .. ".", 200 + tonumber(n) % 50)
        expected[n] = want
    end
    return body == want and n or nil
end

function response(status, headers, body)
    checked = checked + 1
    local n = status == 200 and whole(body)
    if not n then
        bad = bad + 1
        if bad <= 3 then
            io.stderr:write("bad response: status " .. status .. ", body " .. body:sub(1, 60) .. "\n")
        end
    elseif not versions[n] then
        versions[n] = true
        seen = seen + 1
    end
end

function done(summary, latency, requests)
    local total_checked, total_bad, distinct = 0, 0, 0
    for _, t in ipairs(threads) do
        total_checked = total_checked + t:get("checked")
        total_bad = total_bad + t:get("bad")
        distinct = math.max(distinct, t:get("seen"))
    end
    local e = summary.errors
    local failed = e.connect + e.read + e.write + e.timeout + e.status
    io.write(string.format("checked=%d bad_bodies=%d failed=%d p99_ms=%.3f versions=%d requests=%d\n",
        total_checked, total_bad, failed, latency:percentile(99) / 1000.0, distinct,
        summary.requests))
end
