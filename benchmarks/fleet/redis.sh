# Sourced by the benchmark scripts: start_redis DIR starts the Debian redis-server on a free port of
# 127.0.0.1 without persistence (data in DIR), sets REDIS=127.0.0.1:PORT and REDIS_PID, and waits
# until it answers PING. The caller stops it (kill "$REDIS_PID").
start_redis() {
  command -v redis-server >/dev/null 2>&1 || { echo "redis-server is not installed (apt-get install redis-server)." >&2; exit 1; }
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --dir "$1" --save '' --appendonly no --daemonize no --loglevel warning >"$1/redis.log" 2>&1 &
  REDIS_PID=$!
  REDIS="127.0.0.1:$port"
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  cat "$1/redis.log" >&2
  echo "redis-server did not answer on port $port." >&2
  exit 1
}
