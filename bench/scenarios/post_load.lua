-- POST load for bench/scenarios/signatures.py, events.py and newsletter.py, run by wrk
-- (LuaJIT; one Lua state per thread).
--
-- Arguments after `--`: mode ("sign", "register", "form" or "insert"), run id, seconds of
-- load, the CSRF cookie, the CSRF form token, the expected status, the end of the expected
-- Location (optional; "" for none) and, for "form", the form's other fields (url-encoded).
--
-- Each thread sends requests for `seconds` from its first one, then stops sending (its `delay`
-- becomes an hour) while wrk's -d leaves a few seconds more for the last answers: every
-- request sent is answered before wrk stops, so the database can be checked exactly against
-- the answers counted here. (Left to -d alone, wrk drops the requests still in flight when its
-- time is up, and the server may still commit them.)
--
-- "sign" posts an individual's signature and "register" an event registration (name and
-- e-mail), each with a new address per request, bench-RUN-THREAD-N@example.invalid;
-- "form" posts the fields given and such an address as `email`; "insert" posts only the
-- CSRF token.
-- `done` prints one line, "wrk-script-report: " and JSON, with the sums over the threads and
-- a timeline: the answers accepted and not, by tenth of a second of CLOCK_MONOTONIC (the
-- clock of Python's time.monotonic(), so that a scenario can line them up with its events).

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } harbour_bench_timespec;
int clock_gettime(int clock_id, harbour_bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("harbour_bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

-- Main state: the threads, so that `done` can sum their counters.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

-- Thread states: globals, read by `done` through thread:get().
sent, responses, accepted, first_us, last_us = 0, 0, 0, 0, 0
statuses = {}
good_at, bad_at = {}, {}

local mode, run_id, active_us, expect_status, expect_location
local headers, body_prefix
local deadline_us = nil
-- wrk calls `request` once before the run to check the script (thread 1 only); that request
-- is never sent. Every real one follows a call of `delay`.
local running = false

function init(args)
  mode, run_id = args[1], args[2]
  active_us = tonumber(args[3]) * 1000000
  local cookie, token = args[4], args[5]
  expect_status, expect_location = tonumber(args[6]), args[7] or ""
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
  }
  if mode == "sign" then
    body_prefix = "csrfmiddlewaretoken=" .. token
      .. "&kind=individual"
      .. "&individual-given_name=Bench"
      .. "&individual-family_name=Signer"
      .. "&individual-postal_code=K1A+0A6"
      .. "&individual-city=Ottawa"
      .. "&individual-listing=full"
      .. "&individual-email=bench-" .. run_id .. "-" .. thread_id .. "-"
  elseif mode == "register" then
    body_prefix = "csrfmiddlewaretoken=" .. token
      .. "&name=Bench+Registrant"
      .. "&email=bench-" .. run_id .. "-" .. thread_id .. "-"
  elseif mode == "form" then
    body_prefix = "csrfmiddlewaretoken=" .. token
      .. "&" .. args[8]
      .. "&email=bench-" .. run_id .. "-" .. thread_id .. "-"
  else
    body_prefix = "csrfmiddlewaretoken=" .. token
  end
end

function delay()
  running = true
  if deadline_us ~= nil and now_us() >= deadline_us then
    return 3600000 -- stop sending; wrk's -d ends the run
  end
  return 0
end

function request()
  if not running then
    return wrk.format("POST", nil, headers, body_prefix)
  end
  if deadline_us == nil then
    first_us = now_us()
    deadline_us = first_us + active_us
  end
  sent = sent + 1
  local body = body_prefix
  if mode ~= "insert" then
    body = body_prefix .. sent .. "%40example.invalid"
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, response_headers, body)
  responses = responses + 1
  last_us = now_us()
  statuses[status] = (statuses[status] or 0) + 1
  local tick = math.floor(last_us / 100000)
  local good = false
  if status == expect_status then
    local location = response_headers["Location"] or ""
    good = expect_location == "" or location:sub(-#expect_location) == expect_location
  end
  if good then
    accepted = accepted + 1
    good_at[tick] = (good_at[tick] or 0) + 1
  else
    bad_at[tick] = (bad_at[tick] or 0) + 1
  end
end

local function merge(into, counts)
  for tick, count in pairs(counts) do
    into[tick] = (into[tick] or 0) + count
  end
end

local function json_counts(counts)
  local parts = {}
  for key, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', key, count))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local total = { sent = 0, responses = 0, accepted = 0 }
  local by_status, good, bad = {}, {}, {}
  local first, last = nil, 0
  for _, thread in ipairs(threads) do
    total.sent = total.sent + thread:get("sent")
    total.responses = total.responses + thread:get("responses")
    total.accepted = total.accepted + thread:get("accepted")
    merge(by_status, thread:get("statuses"))
    merge(good, thread:get("good_at"))
    merge(bad, thread:get("bad_at"))
    local thread_first = thread:get("first_us")
    if thread_first > 0 and (first == nil or thread_first < first) then
      first = thread_first
    end
    last = math.max(last, thread:get("last_us"))
  end
  local window_us = 0
  if first ~= nil and last > first then
    window_us = last - first
  end
  io.write(string.format(
    'wrk-script-report: {"sent": %d, "responses": %d, "accepted": %d, '
      .. '"window_us": %d, "threads": %d, "statuses": %s, '
      .. '"accepted_by_tick": %s, "refused_by_tick": %s}\n',
    total.sent, total.responses, total.accepted, window_us, #threads, json_counts(by_status),
    json_counts(good), json_counts(bad)
  ))
end
