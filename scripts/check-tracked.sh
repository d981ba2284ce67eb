#!/usr/bin/env bash
# Fails when git tracks a file larger than 1 MiB or an executable binary
# (ELF, Mach-O, PE, or any file with the executable bit that is not a
# script): build output must never enter the repository.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

limit=$((1 << 20))
bad=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue
	size=$(stat -c %s "$f")
	if [ "$size" -gt "$limit" ]; then
		echo "tracked file over 1 MiB: $f ($size bytes)"
		bad=1
	fi
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46 | cffaedfe | cefaedfe | feedfacf | feedface | cafebabe | 4d5a*)
		echo "tracked executable binary: $f"
		bad=1
		;;
	esac
	if [ -x "$f" ] && [ "$(head -c 2 "$f")" != '#!' ]; then
		echo "tracked executable that is not a script: $f"
		bad=1
	fi
done < <(git ls-files -z)
if [ "$bad" -ne 0 ]; then
	echo "remove them with git rm --cached, and ignore them in .gitignore"
	exit 1
fi
echo "$(git ls-files | wc -l) tracked files: none over 1 MiB, no executable binary"
