#!/usr/bin/env bash
# The README's main job: set everything up, compile models/mnist.neural to
# PyTorch and train it for one epoch on Fashion-MNIST (Debian's
# dataset-fashion-mnist, installed by setup; nothing is downloaded).
# Extra arguments go to the generated training entry point, e.g.
#   tools/train-mnist.sh --epochs 2 --device cuda
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
out="${OUT:-out/mnist}"
mkdir -p "$out/gen"
bin/neuralgen compile --backend pytorch -o "$out/gen" models/mnist.neural
PYTHONPATH="$PWD/runtime/python:$PWD/$out/gen" /usr/bin/python3 "$out/gen/mnist_classifier.py" \
	--dataset fashion_mnist --data-dir /usr/share/datasets/fashion-mnist \
	--epochs 1 --out "$out" "$@"
