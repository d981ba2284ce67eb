#!/usr/bin/env bash
# Checks one Go module of this repository that the root's go vet and go test
# do not enter (otel/, redislimit/, which have go.mod files of their own):
# gofmt, go mod tidy -diff, go vet, staticcheck and go test -race, in DIR.
# The arguments after DIR go to go test.
#
#   scripts/check-module.sh otel
#   scripts/check-module.sh redislimit -v -run Integration
set -euo pipefail
dir=$1
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../$dir"

STATICCHECK_VERSION=v0.8.2
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT

echo "--- gofmt -l . ($dir)"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:"
	echo "$unformatted"
	exit 1
fi
echo "--- go mod tidy -diff ($dir)"
go mod tidy -diff
echo "--- go vet ./... ($dir)"
go vet ./...
echo "--- staticcheck ./... ($dir, honnef.co/go/tools $STATICCHECK_VERSION)"
GOBIN="$tools" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
"$tools/staticcheck" ./...
echo "--- go test -race ./... ($dir)"
go test -race -count=1 "$@" ./...
