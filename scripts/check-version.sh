#!/usr/bin/env bash
# Checks that the Version constant of the root package (sent in User-Agent)
# equals the newest released version in CHANGELOG.md: the first "## [X.Y.Z]"
# heading that is not "## [Unreleased]". A release changes both in one commit
# (docs/releasing.md); between releases, changes go under Unreleased and
# Version stays.
#
#   scripts/check-version.sh [TAG]
#
# With TAG (the release pipeline passes the tag it builds, .goreleaser.yaml),
# TAG must also be "v" + Version.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# `const Version = "…"` or, inside a const block, `Version = "…"`, in any
# non-test file of the root package. scripts/apidiff.sh reads it the same way.
sources=$(ls ./*.go | grep -v '_test\.go$')
versions=$(sed -n 's/^[[:space:]]*\(const[[:space:]][[:space:]]*\)\{0,1\}Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\2/p' $sources)
if [ "$(printf '%s\n' "$versions" | grep -c .)" -ne 1 ]; then
	echo "expected one Version = \"…\" constant in the root package's .go files, found: ${versions:-none}"
	exit 1
fi

released=$(sed -n 's/^## \[\([^]]*\)\].*/\1/p' CHANGELOG.md | grep -v -x -i 'unreleased' | head -n 1 || true)
if [ -z "$released" ]; then
	echo "CHANGELOG.md has no released version heading (## [X.Y.Z] - YYYY-MM-DD)"
	exit 1
fi

if [ "$versions" != "$released" ]; then
	echo "Version is \"$versions\" but CHANGELOG.md's newest release is [$released]: bump both in the release commit (docs/releasing.md)"
	exit 1
fi
if [ -n "${1:-}" ] && [ "$1" != "v$versions" ]; then
	echo "the tag is $1 but Version is \"$versions\": tag the release commit v$versions (docs/releasing.md)"
	exit 1
fi
echo "Version \"$versions\" is CHANGELOG.md's newest release${1:+, and the tag $1 names it}"
