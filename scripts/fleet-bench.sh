#!/usr/bin/env bash
# Measures a fleet-wide bulk cancel (scripts/fleetbench): the CLI's
# cancel-pending over 10,000 devices of the embedded fake API limited to
# 2,000 requests a second, with --rate 1900 and without, then the SDK during
# a 5 s outage with the default retry budget and with none. It takes a few
# minutes; FLEET=500 scripts/fleet-bench.sh is a quick run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "$(go version), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
go run ./scripts/fleetbench
