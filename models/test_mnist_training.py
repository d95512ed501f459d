"""End-to-end: models/mnist.neural compiled to PyTorch trains like an expert's CNN.

- One epoch on Fashion-MNIST (Debian's dataset-fashion-mnist) on CPU reaches
  at least 85% test accuracy; the number is printed for the report.
- The synthetic-data path trains in seconds and its loss decreases.
Both run the generated module's own entry point, as a user would.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FASHION = Path(os.environ.get("RULES_NEURAL_FASHION_MNIST_DIR",
                              "/usr/share/datasets/fashion-mnist"))


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    neuralgen = os.environ.get("NEURALGEN", str(ROOT / "bin" / "neuralgen"))
    if not Path(neuralgen).exists():
        pytest.skip("bin/neuralgen not built (run tools/setup.sh)")
    subprocess.run([neuralgen, "compile", "--backend", "pytorch", "-o", str(out),
                    str(ROOT / "models" / "mnist.neural")], check=True)
    return out


def train(module_dir, out, *args):
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'runtime' / 'python'}:{module_dir}")
    proc = subprocess.run([sys.executable, str(module_dir / "mnist_classifier.py"),
                           "--out", str(out), "--quiet", *args],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "metrics.json").read_text())


def test_synthetic_loss_decreases(module_dir, tmp_path):
    metrics = train(module_dir, tmp_path, "--dataset", "synthetic", "--synthetic-size", "2048",
                    "--epochs", "3", "--no-export", "--seed", "1")
    losses = [epoch["loss"] for epoch in metrics["history"]]
    assert len(losses) == 3
    assert losses[-1] < losses[0], losses


@pytest.mark.skipif(not (FASHION / "train-images-idx3-ubyte.gz").exists(),
                    reason="Fashion-MNIST not installed (Debian dataset-fashion-mnist)")
def test_fashion_mnist_one_epoch(module_dir, tmp_path):
    metrics = train(module_dir, tmp_path, "--dataset", "fashion_mnist", "--data-dir", str(FASHION),
                    "--epochs", "1", "--seed", "0")
    accuracy = metrics["test"]["accuracy"]
    print(f"\nFashion-MNIST, 1 epoch, CPU: test accuracy {accuracy:.4f}, "
          f"{metrics['history'][0]['samples_per_second']:.0f} samples/s")
    assert accuracy >= 0.85
    assert (tmp_path / "model.onnx").exists() and (tmp_path / "checkpoint.pt").exists()
