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

# shellcheck source=scripts/redis.sh
. scripts/redis.sh
export REDISLIMIT_ADDR="$REDIS_ADDR"
echo "the integration tests run against $REDISLIMIT_ADDR"
scripts/check-module.sh redislimit "$@"
