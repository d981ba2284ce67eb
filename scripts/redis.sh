# Sourced by the scripts that need a Redis of their own (redis-test.sh,
# quota-bench.sh): installs redis-server when it is missing (Debian's
# package, with apt-get), starts one on a free loopback port, sets
# REDIS_ADDR, and stops it when the calling script exits (its EXIT trap).
# It never uses a Redis already running on the machine.

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	echo "installing redis-server (apt-get)"
	sudo=
	if [ "$(id -u)" -ne 0 ]; then
		sudo=sudo
	fi
	$sudo apt-get update
	$sudo apt-get install -y redis-server
fi
redis-server --version

redis_dir=$(mktemp -d)
redis_pid=
stop_redis() {
	if [ -n "$redis_pid" ]; then
		kill "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
	rm -rf "$redis_dir"
}
trap stop_redis EXIT

# A free loopback port: try random ones until a server starts on one and
# answers PING, and it is ours, not one that had the port already (a port
# in use makes redis-server exit at once).
redis_port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	try=$((20000 + RANDOM % 40000))
	redis-server --port "$try" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
		>"$redis_dir/redis.log" 2>&1 &
	redis_pid=$!
	for _ in $(seq 50); do # 5 s at most
		if [ "$(redis-cli -h 127.0.0.1 -p "$try" ping 2>/dev/null)" = PONG ] &&
			redis-cli -h 127.0.0.1 -p "$try" info server | tr -d '\r' | grep -qx "process_id:$redis_pid"; then
			redis_port=$try
			break 2
		fi
		if ! kill -0 "$redis_pid" 2>/dev/null; then
			break # exited: the port was taken, most likely
		fi
		sleep 0.1
	done
	kill "$redis_pid" 2>/dev/null || true
	wait "$redis_pid" 2>/dev/null || true
	redis_pid=
done
if [ -z "$redis_port" ]; then
	echo "could not start redis-server on a free loopback port; its last log:"
	cat "$redis_dir/redis.log"
	exit 1
fi
REDIS_ADDR="127.0.0.1:$redis_port"
echo "redis-server (pid $redis_pid) on $REDIS_ADDR"
