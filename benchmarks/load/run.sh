#!/usr/bin/env bash
# Load test: the same minimal-API handler unprotected, behind Flaat (.RequireFlaat) and behind
# JwtBearer, loaded in alternation (A B C D A B C D ...) so that the noise of a shared machine
# hits every endpoint alike; prints requests/s, p50/p99 latency and the ratios of the same run.
#   benchmarks/load/run.sh                       # 5 rounds x 5 s per endpoint, wrk -t2 -c32
#   ROUNDS=5 DURATION=10s CONNECTIONS=64 benchmarks/load/run.sh
#   REDIS=1 benchmarks/load/run.sh              # Flaat's cache shared on a Redis server started here
#   REDIS=127.0.0.1:6379 benchmarks/load/run.sh  # ... or on one that runs already
set -euo pipefail

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-2s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk (Debian package)..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y wrk >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

echo "Building the load server (Release)..."
dotnet build "$ROOT/benchmarks/Flaat.LoadServer/Flaat.LoadServer.csproj" -c Release -nologo -v q >/dev/null

WORK=$(mktemp -d)
SERVER_PID=""
REDIS_PID=""
cleanup() {
  for pid in "$SERVER_PID" "$REDIS_PID"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SERVER_ARGS=(--info-file "$WORK/info")
REDIS=${REDIS:-}
if [ "$REDIS" = 1 ]; then
  # shellcheck source=../fleet/redis.sh
  . "$ROOT/benchmarks/fleet/redis.sh"
  start_redis "$WORK"
fi
if [ -n "$REDIS" ]; then
  SERVER_ARGS+=(--redis "$REDIS")
fi

dotnet "$ROOT/benchmarks/Flaat.LoadServer/bin/Release/net10.0/Flaat.LoadServer.dll" "${SERVER_ARGS[@]}" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  [ -s "$WORK/info" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; echo "The load server did not start." >&2; exit 1; }
  sleep 0.2
done
[ -s "$WORK/info" ] || { echo "The load server did not report its address." >&2; exit 1; }
URL=$(sed -n 1p "$WORK/info")
TOKEN=$(sed -n 2p "$WORK/info")
AUTH="Authorization: Bearer $TOKEN"

# The control sends the same header with another scheme ("Basic", same length), which nothing in
# the server looks at: "none" against "none-basic" shows what a bearer token costs an endpoint
# without Flaat metadata, apart from reading the bytes.
CONTROL="Authorization: Basic  $TOKEN"

# name | path | header sent
ENDPOINTS=("none|/none|auth" "flaat|/flaat|auth" "jwtbearer|/jwt|auth" "none-basic|/none|control")

header() { if [ "$1" = auth ]; then echo "$AUTH"; else echo "$CONTROL"; fi; }

load() { # name path header duration -> wrk output
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$4" --latency -H "$(header "$3")" "$URL$2"
}

# Requests/s, p50 and p99 in ms from wrk's output; fails on non-2xx answers or socket errors.
parse() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses/ { bad = $NF }
    /Socket errors/ { errors = $0 }
    END {
      if (bad > 0) { print "ERROR non-2xx responses: " bad; exit 1 }
      if (errors != "") { print "ERROR " errors; exit 1 }
      printf "%.1f %.3f %.3f\n", rps, p50, p99
    }'
}

echo "Server $URL, token of ${#TOKEN} characters${REDIS:+, cache shared on Redis $REDIS}; wrk -t$THREADS -c$CONNECTIONS, $ROUNDS rounds x $DURATION per endpoint"
for spec in "${ENDPOINTS[@]}"; do
  IFS='|' read -r name path header <<<"$spec"
  # Each endpoint must answer 200 before it is loaded (a 401 would be measured as "fast").
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$(header "$header")" "$URL$path")
  [ "$code" = 200 ] || { echo "$name ($path) answered $code, not 200" >&2; exit 1; }
  load "$name" "$path" "$header" "$WARMUP" >/dev/null
done

RESULTS="$WORK/results"
: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path header <<<"$spec"
    out=$(load "$name" "$path" "$header" "$DURATION")
    line=$(echo "$out" | parse) || { echo "$out"; echo "$name: $line" >&2; exit 1; }
    echo "$round $name $line" >>"$RESULTS"
    printf 'round %s  %-15s %10s req/s   p50 %7s ms   p99 %7s ms\n' "$round" "$name" $line
  done
done

awk '
  function median(a, n,    i, j, t) { # insertion sort of a[1..n] (portable awk has no asort)
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function ratio(label, x, y, target,    k, line, v) {
    line = sprintf("  %-18s", label)
    for (k = 1; k <= rounds; k++) { v[k] = r[k, x] / r[k, y]; line = line sprintf(" %5.2f", v[k]) }
    print line sprintf("   median %.2f   of the means %.2f   %s", median(v, rounds), rps[x] / rps[y], target)
  }
  { rps[$2] += $3; p50[$2] += $4; p99[$2] += $5; n[$2]++; r[$1, $2] = $3; rounds = $1 }
  END {
    print ""
    print "Mean over " rounds " rounds:"
    split("none flaat jwtbearer none-basic", order, " ")
    for (i = 1; i <= 4; i++) { e = order[i]; printf "  %-15s %10.0f req/s   p50 %7.3f ms   p99 %7.3f ms\n", e, rps[e] / n[e], p50[e] / n[e], p99[e] / n[e] }
    for (e in rps) rps[e] /= n[e]
    print ""
    print "Ratios of requests/s, per round (same moment), their median, and the ratio of the means:"
    ratio("flaat/none", "flaat", "none", "(target >= 0.85)")
    ratio("flaat/jwtbearer", "flaat", "jwtbearer", "(target >= 2)")
    ratio("jwtbearer/none", "jwtbearer", "none", "")
    ratio("none/none-basic", "none", "none-basic", "(bearer token, endpoint without Flaat; target ~1.00)")
  }' "$RESULTS"
