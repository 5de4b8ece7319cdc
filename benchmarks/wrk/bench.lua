-- One wrk script for every scenario, steered by environment variables set by benchmarks/run.py:
--   BENCH_KEY     API key (sent as a Bearer token; the floor checks it the same way)
--   BENCH_MODE    get | post | patch
--   BENCH_PATHS   file of request paths, one a line, used round-robin (ids, cursors, filters)
--   BENCH_BODY    for post/patch: a JSON body template; "{n}" becomes a number unique to this
--                 run and thread, so creates never collide on the unique email
--   BENCH_NONCE   distinguishes runs against the same database
-- done() prints one line "BENCH_RESULT {json}" with the figures run.py reads.

local mode = os.getenv("BENCH_MODE") or "get"
local template = os.getenv("BENCH_BODY") or ""
local nonce = os.getenv("BENCH_NONCE") or "0"
local method = ({get = "GET", post = "POST", patch = "PATCH"})[mode]

wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_KEY") or "")
wrk.headers["X-Forwarded-Proto"] = "https" -- as the TLS-terminating proxy would send it
wrk.headers["Accept"] = "application/json"
if method ~= "GET" then
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local paths = {}
local cursor = 0
local counter = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then
      table.insert(paths, line)
    end
  end
  cursor = thread_number -- threads start at different paths
end

function request()
  cursor = cursor % #paths + 1
  if method == "GET" then
    return wrk.format(method, paths[cursor])
  end
  counter = counter + 1
  local unique = nonce .. "-" .. thread_number .. "-" .. counter
  local body = template:gsub("{n}", unique)
  return wrk.format(method, paths[cursor], nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "max_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
