#!/usr/bin/env bash
# Sets up everything rules_neural needs on a fresh Debian machine and builds
# the compiler into bin/neuralgen. Safe to run again: each step checks first.
#
#   - a Go toolchain (the machine's, or Debian's golang-1.19-go as a fallback)
#   - Debian's Go 1.19 (/usr/lib/go-1.19), which CI uses to prove the code and
#     every dependency still build with Go 1.19 (the offline Bazel toolchain's
#     ceiling, see docs/ and DESIGN.md §1)
#   - the Go modules of go.mod
#   - for Bazel: tools/setup-bazel.sh (skip with RULES_NEURAL_SKIP_BAZEL=1)
#   - for the generated PyTorch code: Debian's python3 with torch, numpy,
#     onnx, optuna, pytest and the Fashion-MNIST dataset (skip with
#     RULES_NEURAL_SKIP_PYTHON=1)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
# shellcheck source=tools/debian.sh
. tools/debian.sh

GO119=/usr/lib/go-1.19/bin/go
if [ ! -x "$GO119" ]; then
	ensure_debs golang-1.19-go
fi

# Python side (issue 3): Debian's interpreter with Debian's torch 1.13 (CPU,
# built against numpy 1.x), ONNX, Optuna, pytest, pycodestyle (the PEP 8 check
# of generated code) and the Fashion-MNIST IDX files. Nothing is downloaded at
# run time; the dataset comes from here.
PY_DEBS="python3 python3-torch python3-numpy python3-onnx python3-optuna python3-pytest python3-pycodestyle dataset-fashion-mnist"
if [ "${RULES_NEURAL_SKIP_PYTHON:-0}" != 1 ]; then
	# shellcheck disable=SC2086
	ensure_debs $PY_DEBS
fi

if ! command -v go >/dev/null 2>&1; then
	log "no go on PATH; using Go 1.19 from Debian"
	export PATH="/usr/lib/go-1.19/bin:$PATH"
fi
# Never let a newer go download another toolchain: the registries here serve
# modules, not toolchains.
export GOTOOLCHAIN=local

log "downloading Go modules"
go mod download

# Bazel (issue 4): Debian's Bazel 4.2.3 and the offline WORKSPACE set-up,
# including vendor/ (which plain `go build` then uses too). Skip with
# RULES_NEURAL_SKIP_BAZEL=1.
if [ "${RULES_NEURAL_SKIP_BAZEL:-0}" != 1 ]; then
	bash tools/setup-bazel.sh
fi

log "building bin/neuralgen"
mkdir -p bin
go build -trimpath -o bin/neuralgen ./generator/cmd/neuralgen
log "ready: $(bin/neuralgen version 2>/dev/null | head -n 1 || echo neuralgen)"
