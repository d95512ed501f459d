#!/usr/bin/env bash
# Runs `bazel test //...` and prints the closing line CI recognises
# ("N passed, N failed", counted from Bazel's per-target results), then
# trains the MNIST model for one epoch on synthetic data with `bazel run`,
# runs two trials of the MNIST hyper-parameter search the same way, checks that a second run with no change is fully cached and reports how
# long a no-op `bazel build //...` takes (median of 5). Shuts the Bazel
# server down at the end. Exit status: that of the first `bazel test`, or 1
# when `bazel run` failed, the second run was not cached or a build failed.
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"; bazel shutdown >/dev/null 2>&1 || true' EXIT

bazel test //... 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# Result lines look like "//models:mnist_pytorch_test   (cached) PASSED in 2.9s".
results=$(grep -E '^//[^ ]+ +(\(cached\) )?[A-Z ]+( in [0-9.]+s)?$' "$log" || true)
passed=$(printf '%s\n' "$results" | grep -c ' PASSED' || true)
total=$(printf '%s\n' "$results" | grep -c '^//' || true)
failed=$((total - passed))
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
	failed=1 # the build itself failed before any test ran
fi
echo "bazel test //...: $passed passed, $failed failed"
if [ "$rc" != 0 ]; then
	exit "$rc"
fi

# run_target TARGET FILE... -- ARG...: `bazel run TARGET -- ARG... --quiet
# --out $out` into a fresh directory $out; exits 1, showing Bazel's output,
# unless it succeeds and writes every FILE there.
run_target() {
	local target=$1 files=()
	shift
	while [ "$1" != "--" ]; do
		files+=("$1")
		shift
	done
	shift
	out=$(mktemp -d)
	local ok=1
	bazel run "$target" -- "$@" --quiet --out "$out" >"$log" 2>&1 || ok=0
	for f in "${files[@]}"; do
		[ -s "$out/$f" ] || ok=0
	done
	if [ "$ok" != 1 ]; then
		cat "$log"
		echo "bazel run $target failed"
		exit 1
	fi
}

# The training entry point under `bazel run` (synthetic data: seconds).
run_target //models:mnist_train metrics.json checkpoint.pt -- --epochs 1 --dataset synthetic
echo "bazel run //models:mnist_train -- --epochs 1 --dataset synthetic: wrote $(cd "$out" && ls | tr '\n' ' ')"
rm -rf "$out"

# The HPO search driver: each trial compiles the model with the toolchain's
# neuralgen and trains it.
run_target //models:mnist_hpo_search best.json -- --trials 2 --epochs 1 --dataset synthetic --synthetic-size 256
echo "bazel run //models:mnist_hpo_search -- --trials 2 --dataset synthetic: best $(tr -d ' \n' <"$out/best.json")"
rm -rf "$out"

bazel test //... >"$log" 2>&1
cached=$(grep -cE '^//[^ ]+ +\(cached\) PASSED' "$log" || true)
echo "bazel test //... again, no change: $cached of $total results (cached)"
if [ "$cached" != "$total" ]; then
	cat "$log"
	exit 1
fi

times=""
for _ in 1 2 3 4 5; do
	start=$(date +%s%N)
	bazel build //... >/dev/null 2>&1 || exit 1
	times="$times $(( ($(date +%s%N) - start) / 1000000 ))"
done
median=$(printf '%s\n' $times | sort -n | sed -n 3p)
echo "no-op bazel build //...: median ${median} ms of 5 (runs:${times} ms)"
