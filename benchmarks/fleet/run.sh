#!/usr/bin/env bash
# Several replicas sharing Flaat's cache on Redis: starts a Redis server on a free port (Debian's
# redis-server), builds the benchmarks (Release) and runs `Flaat.Benchmarks fleet`:
#   calls    OP userinfo calls for 1, 3 and 8 replicas x 10 000 distinct tokens, with and without Redis
#   latency  an L2 hit (another replica's answer read from Redis) against an OP call and an L1 hit
#   benchmarks/fleet/run.sh                          # both, ~1-2 minutes
#   benchmarks/fleet/run.sh calls --tokens 2000 --replicas 3
#   REDIS=127.0.0.1:6379 benchmarks/fleet/run.sh     # a Redis server that runs already
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
REDIS_PID=""
cleanup() {
  if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REDIS=${REDIS:-}
if [ -z "$REDIS" ]; then
  # shellcheck source=redis.sh
  . "$ROOT/benchmarks/fleet/redis.sh"
  start_redis "$WORK"
fi

echo "Building the benchmarks (Release)..."
dotnet build "$ROOT/benchmarks/Flaat.Benchmarks/Flaat.Benchmarks.csproj" -c Release -nologo -v q >/dev/null
dotnet "$ROOT/benchmarks/Flaat.Benchmarks/bin/Release/net10.0/Flaat.Benchmarks.dll" fleet --redis "$REDIS" "$@"
