#!/usr/bin/env bash
# Measures one API quota shared by four processes (scripts/quotabench, a Go
# module of its own so that neither library gains its dependencies): the
# fake API limited to 2,000 requests a second, four SDK clients cancelling
# commands on their shares of 8,000 devices, paced each on its own and all
# through one redislimit limiter on a Redis that scripts/redis.sh starts.
# It takes about a minute; QUOTA=800 scripts/quota-bench.sh is a quick run.
# docs/performance.md has a full run's figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/redis.sh
. scripts/redis.sh

cd scripts/quotabench
echo "--- gofmt -l, go mod tidy -diff, go vet (scripts/quotabench)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted: $unformatted"
	exit 1
fi
go mod tidy -diff
go vet ./...
echo "$(go version), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
REDIS_ADDR="$REDIS_ADDR" go run .
