#!/usr/bin/env bash
# Checks the redislimit module (redislimit/, a Go module of its own, which
# the root's go vet and go test do not enter) against a real Redis, one of
# its own that scripts/redis.sh starts on a free loopback port (installing
# redis-server when it is missing): gofmt, go mod tidy -diff, go vet,
# staticcheck and go test -race there with REDISLIMIT_ADDR set.
#
#   scripts/redis-test.sh                  # the whole check
#   scripts/redis-test.sh -v -run Integration   # arguments go to go test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATICCHECK_VERSION=v0.8.2

# shellcheck source=scripts/redis.sh
. scripts/redis.sh
export REDISLIMIT_ADDR="$REDIS_ADDR"
tools="$redis_dir"

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
