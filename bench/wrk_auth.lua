-- wrk script for bench/throughput.py and bench/write_latency.py.
-- Sends `Authorization: Bearer $BENCH_TOKEN` with every request (the bare baseline gets the same
-- header, so both parse requests of the same size); with $BENCH_BODY, POSTs it as JSON. At the
-- end prints one machine-readable line, so the bench does not have to parse wrk's human units
-- (us/ms/s, k/M).

local token = os.getenv("BENCH_TOKEN")
if token and #token > 0 then
  wrk.headers["Authorization"] = "Bearer " .. token
end
-- With $BENCH_NO_CACHE, every read asks the services past the gateway's read cache.
local no_cache = os.getenv("BENCH_NO_CACHE")
if no_cache and #no_cache > 0 then
  wrk.headers["Cache-Control"] = "no-cache"
end
local body = os.getenv("BENCH_BODY")
if body and #body > 0 then
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, '
      .. '"p99_us": %d, "mean_us": %.1f, "max_us": %d, "non_2xx_3xx": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
