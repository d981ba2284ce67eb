#!/usr/bin/env bash
# Checks the OpenTelemetry module (otel/, a Go module of its own, which the
# root's go vet and go test do not enter): gofmt, go mod tidy -diff, go vet,
# staticcheck and go test -race, in otel/. Its go.mod replaces the SDK with
# the checkout beside it (../), so this checks the module against the SDK
# of the same commit.
#
#   scripts/otel-test.sh                         # the whole check
#   scripts/otel-test.sh -v -run TestSpan        # arguments go to go test
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../otel"

STATICCHECK_VERSION=v0.8.2

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT

echo "--- gofmt -l . (otel)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:"
	echo "$unformatted"
	exit 1
fi
echo "--- go mod tidy -diff (otel)"
go mod tidy -diff
echo "--- go vet ./... (otel)"
go vet ./...
echo "--- staticcheck ./... (otel, honnef.co/go/tools $STATICCHECK_VERSION)"
GOBIN="$tools" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
"$tools/staticcheck" ./...
echo "--- go test -race ./... (otel)"
go test -race -count=1 "$@" ./...
