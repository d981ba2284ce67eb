#!/usr/bin/env bash
# Checks the redislimit module (redislimit/, a Go module of its own, which
# the root's go vet and go test do not enter) against a real Redis:
# installs redis-server when it is missing (Debian's package, with apt-get),
# starts one of its own on a free loopback port, runs go vet, staticcheck
# and go test -race there with REDISLIMIT_ADDR set, and stops the server on
# exit. It never uses a Redis already running on the machine.
#
#   scripts/redis-test.sh                  # the whole check
#   scripts/redis-test.sh -v -run Integration   # arguments go to go test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATICCHECK_VERSION=v0.8.2

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

tools=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tools"
}
trap cleanup EXIT

# A free loopback port: try random ones until a server starts on one and
# answers PING, and it is ours, not one that had the port already (a port
# in use makes redis-server exit at once).
port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	try=$((20000 + RANDOM % 40000))
	redis-server --port "$try" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
		>"$tools/redis.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do # 5 s at most
		if [ "$(redis-cli -h 127.0.0.1 -p "$try" ping 2>/dev/null)" = PONG ] &&
			redis-cli -h 127.0.0.1 -p "$try" info server | tr -d '\r' | grep -qx "process_id:$pid"; then
			port=$try
			break 2
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break # exited: the port was taken, most likely
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
done
if [ -z "$port" ]; then
	echo "could not start redis-server on a free loopback port; its last log:"
	cat "$tools/redis.log"
	exit 1
fi
export REDISLIMIT_ADDR="127.0.0.1:$port"
echo "redis-server (pid $pid) on $REDISLIMIT_ADDR"

cd redislimit
echo "--- gofmt -l (redislimit)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:"
	echo "$unformatted"
	exit 1
fi
echo "--- go mod tidy -diff (redislimit)"
go mod tidy -diff
echo "--- go vet ./... (redislimit)"
go vet ./...
echo "--- staticcheck ./... (redislimit, honnef.co/go/tools $STATICCHECK_VERSION)"
GOBIN="$tools" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
"$tools/staticcheck" ./...
echo "--- go test -race ./... (redislimit, against $REDISLIMIT_ADDR)"
go test -race -count=1 "$@" ./...
