#!/usr/bin/env bash
# Usage: generated_matches_compile.sh NEURALGEN (SOURCE GENERATED)...
# Checks that each file Bazel generated is byte-identical to what
# `neuralgen compile` writes for the same source (run from the runfiles
# root, so both name the source by the same workspace-relative path).
set -euo pipefail
neuralgen="$1"
shift
out="${TEST_TMPDIR:-$(mktemp -d)}/compiled"
failed=0
checked=0
while [ $# -ge 2 ]; do
	src="$1" generated="$2"
	shift 2
	rm -rf "$out" && mkdir -p "$out"
	"$neuralgen" compile --backend pytorch -o "$out" "$src"
	modules=("$out"/*.py)
	compiled=""
	for m in "${modules[@]}"; do
		case "$m" in *_search.py) ;; *) compiled="$m" ;; esac
	done
	if [ -z "$compiled" ]; then
		echo "FAIL: neuralgen compile wrote no module for $src"
		failed=$((failed + 1))
	elif cmp -s "$compiled" "$generated"; then
		echo "ok: $generated == neuralgen compile $src ($(basename "$compiled"))"
	else
		echo "FAIL: $generated differs from neuralgen compile $src:"
		diff -u "$compiled" "$generated" | head -n 20 || true
		failed=$((failed + 1))
	fi
	checked=$((checked + 1))
done
echo "$checked checked, $failed differ"
[ "$failed" = 0 ]
