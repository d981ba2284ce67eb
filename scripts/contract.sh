#!/usr/bin/env bash
# Runs the test suite with the contract tests (contract/, build tag
# "contract") against Stoplight Prism, installing Prism first, from the npm
# registry, into .tools/prism when that version is not there yet. Arguments
# go to go test:
#
#   scripts/contract.sh                      # every test, the contract ones too
#   scripts/contract.sh -v -run Random       # the contract tests on random bodies
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# 5.14.2 is the newest Prism that runs on Node.js 20; 5.15 needs Node.js 24.
PRISM_VERSION=5.14.2
dir=.tools/prism
prism="$PWD/$dir/node_modules/.bin/prism"

if [ "$("$prism" --version 2>/dev/null)" != "$PRISM_VERSION" ]; then
	echo "installing @stoplight/prism-cli@$PRISM_VERSION into $dir (node $(node --version), npm $(npm --version))"
	mkdir -p "$dir"
	npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION"
fi

PRISM="$prism" go test -tags contract -count=1 "$@" ./...
