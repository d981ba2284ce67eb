#!/usr/bin/env bash
# API compatibility check: compares the exported API of the module's public
# packages in the work tree (HEAD, in CI) with the baseline commit that
# .apidiff-baseline names (the last release), using golang.org/x/exp/cmd/apidiff
# at a pinned version, installed into a temporary directory (not a module
# dependency: go.mod does not change).
#
# Public packages: those `go list ./...` finds that are not main and not under
# internal/ (today the root package applivery and appliverytest; cmd/,
# examples/ and scripts/ hold main packages). A public package the baseline
# has and HEAD lacks is an incompatible change; a new one is an addition.
#
# Every change is printed. Compatible changes (additions) pass. Incompatible
# changes fail the check, unless CHANGELOG.md lists each one under a
# "### Breaking" heading of its Unreleased section. The rule:
#
#   the name apidiff prints before the colon, qualified by the package's path
#   in the module for a package other than the root, must appear between
#   backquotes under "### Breaking":
#
#     "Foo: removed", root package              `Foo` (or `applivery.Foo`)
#     "(*Client).Do: changed from …", root      `(*Client).Do`
#     "(*Server).AddDevice: removed",
#       package appliverytest                   `appliverytest.(*Server).AddDevice`
#     package appliverytest removed             `appliverytest`
#
# A method promoted from an embedded type, which apidiff prints as
# "(*store).M, method set of *Server: removed", is named as users call it:
# `(*Server).M` (apidiff's own spelling is accepted too). The script prints
# each name it looks for.
#
# "### Breaking" headings of release sections above the baseline's version
# count too: between a release commit and the commit that moves
# .apidiff-baseline to it, the release's breaking changes have left Unreleased
# for the new version's section. And the root package's Version constant
# changing value is a release, not a break: scripts/check-version.sh keeps it
# in step with CHANGELOG.md. docs/releasing.md says all this for people.
#
#   APIDIFF   an apidiff binary to use instead of installing the pinned one
#   BASELINE  a commit to compare with instead of the one .apidiff-baseline names
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

apidiff_version=v0.0.0-20261113113407-e3970619a1a4 # of golang.org/x/exp
export GOWORK=off

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -z "${BASELINE:-}" ] && [ ! -f .apidiff-baseline ]; then
	echo ".apidiff-baseline is missing: it names the commit of the last release (docs/releasing.md)"
	exit 1
fi
base=${BASELINE:-$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' .apidiff-baseline | head -n 1 | tr -d '[:space:]')}
if ! commit=$(git rev-parse --verify --quiet "${base}^{commit}"); then
	echo "the baseline \"$base\" (.apidiff-baseline) is not a commit of this repository"
	echo "(in a shallow clone, run git fetch --unshallow first)"
	exit 1
fi

apidiff=${APIDIFF:-}
if [ -z "$apidiff" ]; then
	GOBIN="$tmp/bin" go install "golang.org/x/exp/cmd/apidiff@$apidiff_version"
	apidiff=$tmp/bin/apidiff
fi

module=$(go list -m)
mkdir "$tmp/base" "$tmp/old" "$tmp/new"
git archive "$commit" | tar -x -C "$tmp/base"

# public_packages DIR: the import paths of the module's public packages in DIR.
public_packages() {
	(cd "$1" && go list -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./...) |
		grep -v -e '/internal/' -e '/internal$' || true
}
# version_in DIR: the root package's Version constant in DIR, read as
# scripts/check-version.sh reads it.
version_in() {
	sed -n 's/^[[:space:]]*\(const[[:space:]][[:space:]]*\)\{0,1\}Version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\2/p' \
		$(ls "$1"/*.go | grep -v '_test\.go$') | head -n 1
}

public_packages "$tmp/base" >"$tmp/old.list"
public_packages . >"$tmp/new.list"

echo "exported API of the work tree against the baseline ${commit:0:12} (.apidiff-baseline)"
root_name=$(go list -f '{{.Name}}' .)
incompatible=() # each change's name, as it is spelled under Breaking
accepted=()     # for each, the spellings accepted, separated by tabs

# add_incompatible REL NAME: an incompatible change that apidiff names NAME,
# in the package at REL ("" for the root).
add_incompatible() {
	local rel=$1 name=$2 shown=$2
	if [[ $name =~ ^.*\.([A-Za-z0-9_]+),\ method\ set\ of\ (\*?)([A-Za-z0-9_]+)$ ]]; then
		if [ -n "${BASH_REMATCH[2]}" ]; then
			shown="(*${BASH_REMATCH[3]}).${BASH_REMATCH[1]}"
		else
			shown="${BASH_REMATCH[3]}.${BASH_REMATCH[1]}"
		fi
	fi
	incompatible+=("${rel:+$rel.}$shown")
	accepted+=("${rel:+$rel.}$shown"$'\t'"${rel:-$root_name}.$shown"$'\t'"${rel:+$rel.}$name")
}
while IFS= read -r pkg; do
	rel=${pkg#"$module"}
	rel=${rel#/} # "" for the root package
	file=${rel:-root}
	file=${file//\//.}.x
	if ! grep -qxF "$pkg" "$tmp/new.list"; then
		printf '\n%s\nIncompatible changes:\n- package removed\n' "$pkg"
		incompatible+=("$rel")
		accepted+=("$rel")
		continue
	fi
	if ! grep -qxF "$pkg" "$tmp/old.list"; then
		printf '\n%s\nCompatible changes:\n- package added\n' "$pkg"
		continue
	fi
	(cd "$tmp/base" && "$apidiff" -w "$tmp/old/$file" "$pkg")
	"$apidiff" -w "$tmp/new/$file" "$pkg"
	report=$("$apidiff" "$tmp/old/$file" "$tmp/new/$file")
	printf '\n%s\n%s\n' "$pkg" "${report:-(no change)}"
	while IFS= read -r line; do
		name=${line#- }
		name=${name%%: *}
		if [ -z "$rel" ] && [[ $line == '- Version: value changed from '* ]]; then
			echo "(Version's new value is a release, not a break: scripts/check-version.sh checks it)"
			continue
		fi
		add_incompatible "$rel" "$name"
	done < <("$apidiff" -incompatible "$tmp/old/$file" "$tmp/new/$file")
done < <(sort -u "$tmp/old.list" "$tmp/new.list")

echo
if [ ${#incompatible[@]} -eq 0 ]; then
	echo "no incompatible change since the baseline"
	exit 0
fi

# What the "### Breaking" headings hold: Unreleased's, and those of the release
# sections above the baseline's version when CHANGELOG.md has a section for it.
stop=$(version_in "$tmp/base")
if [ -z "$stop" ] || ! grep -qF "## [$stop]" CHANGELOG.md; then
	stop=""
fi
awk -v stop="$stop" '
	/^## / {
		n++
		if (stop == "" && (n > 1 || $0 !~ /^## \[Unreleased\]/)) exit
		if (stop != "" && index($0, "## [" stop "]") == 1) exit
		breaking = 0
		next
	}
	/^### / { breaking = ($0 ~ /^###[[:space:]]+Breaking/); next }
	breaking { print }
' CHANGELOG.md >"$tmp/breaking"

missing=0
for i in "${!incompatible[@]}"; do
	listed=false
	IFS=$'\t' read -r -a spellings <<<"${accepted[i]}"
	for spelling in "${spellings[@]}"; do
		if grep -qF -- "\`$spelling\`" "$tmp/breaking"; then
			listed=true
		fi
	done
	if $listed; then
		echo "listed under Breaking in CHANGELOG.md: \`${incompatible[i]}\`"
	else
		echo "NOT listed under Breaking in CHANGELOG.md: \`${incompatible[i]}\`"
		missing=1
	fi
done
if [ "$missing" -ne 0 ]; then
	echo
	echo "The exported API changed incompatibly. Undo the change, or name it as above, between backquotes,"
	echo "under \"### Breaking\" in CHANGELOG.md's Unreleased section (the rule: docs/releasing.md)."
	exit 1
fi
echo "every incompatible change is listed under Breaking in CHANGELOG.md"
