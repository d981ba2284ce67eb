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
exec "$(dirname "${BASH_SOURCE[0]}")/check-module.sh" otel "$@"
