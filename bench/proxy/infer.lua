-- wrk script for bench/proxy.sh: POST one OIP v2 JSON infer of a single 8x8 digit (64 FP32 pixels, the
-- first sample of the UCI digits set) to the URL given on the command line (…/v2/models/digits/infer).
-- Sends "Authorization: Bearer $WARDEN_BENCH_KEY" when that variable is set (the same header goes to
-- every target, so all three see the same request). At the end prints one line starting with WRKJSON.
local key = os.getenv("WARDEN_BENCH_KEY")
-- WARDEN_BENCH_DELAY_MS (bench/proxy-cpu.sh): pause after each answer, so the request rate is fixed.
local pace = tonumber(os.getenv("WARDEN_BENCH_DELAY_MS") or "")
if pace ~= nil and pace > 0 then
  function delay()
    return pace
  end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if key ~= nil and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end
wrk.body = '{"inputs":[{"name":"input","datatype":"FP32","shape":[1,64],"data":'
  .. '[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,'
  .. '0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]}]}'

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
