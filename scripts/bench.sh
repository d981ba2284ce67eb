#!/usr/bin/env bash
# Runs the performance comparison of docs/performance.md: one Cancel through
# the SDK against the leanest hand-written net/http call and a default
# go-retryablehttp client (BenchmarkCall, over HTTP/1.1, and BenchmarkCallTLS,
# over TLS with HTTP/2, the production protocol), decoding alone (BenchmarkDecode),
# a page of 100 devices of 20 KB against plain encoding/json
# (BenchmarkDecodeDevicePage) and ID validation (BenchmarkValidateIDs), each
# -count times, interleaved, and compares them with benchstat. The raw
# results stay in .tools/bench.txt.
#
#   scripts/bench.sh                          # COUNT=20 runs of BENCHTIME=500ms
#   COUNT=5 BENCHTIME=200ms scripts/bench.sh  # quicker, wider intervals
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

COUNT=${COUNT:-20}
BENCHTIME=${BENCHTIME:-500ms}
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

mkdir -p .tools/bin
if [ ! -x .tools/bin/benchstat ]; then
	echo "installing $BENCHSTAT into .tools/bin"
	GOBIN="$PWD/.tools/bin" go install "$BENCHSTAT"
fi

echo "$(go version), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
go test -run '^$' -bench '^(BenchmarkCall|BenchmarkCallTLS|BenchmarkDecode|BenchmarkDecodeDevicePage|BenchmarkValidateIDs)$' \
	-benchtime "$BENCHTIME" -count "$COUNT" . > .tools/bench.txt

# Columns by implementation: the limit first, so "vs base" is the SDK's
# distance from the hand-written call.
.tools/bin/benchstat -filter '.name:Call' -col /impl .tools/bench.txt
.tools/bin/benchstat -filter '.name:CallTLS' -col /impl .tools/bench.txt
.tools/bin/benchstat -filter '.name:Decode' -col /impl .tools/bench.txt
.tools/bin/benchstat -filter '.name:DecodeDevicePage' -col /impl .tools/bench.txt
.tools/bin/benchstat -filter '.name:ValidateIDs' .tools/bench.txt
