"""The command line of generated modules: flags, output, user errors."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CNN, MLP, cnn_spec, mlp_spec
from rules_neural import cli, data
from rules_neural.progress import Progress
from test_data import write_idx_dir
from test_train import Diverging

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, model_cls, spec, *argv):
    code = cli.main(model_cls, spec, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help(capsys):
    code, out, err = run(capsys, MLP, mlp_spec(), "--help")
    assert code == 0 and err == ""
    for flag in ("--data-dir", "--dataset", "--epochs", "--batch-size", "--lr", "--device",
                 "--seed", "--out", "--quiet", "--max-steps", "--resume", "--no-export",
                 "--synthetic-size", "fashion_mnist,idx,npz,synthetic"):
        assert flag in out
    assert "Train TinyMLP (generated from tests/tinymlp.neural)" in out
    assert "default from the model: 2" in out  # SPEC.train.epochs


@pytest.mark.parametrize("argv,message", [
    (["--bogus"], "error: unrecognized arguments: --bogus (see --help)"),
    (["--epochs", "0"], "error: argument --epochs: must be at least 1, got 0"),
    (["--lr", "abc"], "error: argument --lr: expected a number, got 'abc'"),
    (["--dataset", "cifar"], "error: argument --dataset: invalid choice: 'cifar'"),
    (["--device", "gpu0"], "error: unknown device 'gpu0'"),
])
def test_usage_errors_exit_2_without_traceback(capsys, tmp_path, argv, message):
    code, out, err = run(capsys, MLP, mlp_spec(), "--out", str(tmp_path), *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_bad_data_dir_exits_1(capsys, tmp_path):
    code, _, err = run(capsys, CNN, cnn_spec(), "--data-dir", str(tmp_path / "missing"),
                       "--dataset", "idx", "--out", str(tmp_path / "o"))
    assert code == 1 and err.startswith("error: ") and "missing: no such directory" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o" / "checkpoint.pt").exists()


def test_wrong_image_size_exits_1(capsys, tmp_path):
    d = write_idx_dir(tmp_path / "cifar", hw=(32, 32), channels=3)
    code, _, err = run(capsys, CNN, cnn_spec(), "--data-dir", str(d), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "the model expects 28×28×1 images but the data has 32×32×3" in err
    assert "Traceback" not in err


def test_nan_loss_exits_1_without_traceback(capsys, tmp_path):
    Diverging.calls = 0
    code, _, err = run(capsys, Diverging, mlp_spec(), "--synthetic-size", "64",
                       "--batch-size", "8", "--out", str(tmp_path), "--quiet")
    assert code == 1 and "Traceback" not in err
    assert "error: the loss became NaN at epoch 1, step 5/7" in err
    assert "lower the learning rate" in err
    assert not (tmp_path / "checkpoint.pt").exists()
    assert not list(tmp_path.glob(".*.tmp"))
    assert json.loads((tmp_path / "metrics.json").read_text())["status"] == "failed"


def test_training_run_output_and_files(capsys, tmp_path):
    code, out, err = run(capsys, MLP, mlp_spec(), "--synthetic-size", "200", "--epochs", "3",
                         "--out", str(tmp_path), "--seed", "4")
    assert code == 0, err
    lines = out.splitlines()
    # stdout is not a TTY here: a header, one line per epoch, the test line, the files.
    assert lines[0].startswith("TinyMLP: 771 parameters; Adam(lr=0.01)")
    assert [line.split(":")[0] for line in lines[1:4]] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert "\r" not in out and "ETA" not in out
    assert lines[4].startswith("test: loss ")
    assert lines[5].startswith("wrote ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt", "metrics.json",
                                                          "model.onnx"]
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["config"]["seed"] == 4 and len(doc["history"]) == 3


def test_quiet_and_no_export(capsys, tmp_path):
    code, out, err = run(capsys, MLP, mlp_spec(), "--synthetic-size", "64", "--quiet",
                         "--no-export", "--out", str(tmp_path))
    assert code == 0 and out == "" and err == ""
    assert not (tmp_path / "model.onnx").exists()


def test_progress_on_a_tty():
    class TTY(io.StringIO):
        def isatty(self):
            return True

    s = TTY()
    p = Progress(2, stream=s, interval=0)
    p.start_epoch(1, 4)
    for i in range(1, 5):
        p.step(i, 0.5, 32 * i)
    p.end_epoch({"loss": 0.5, "val_loss": 0.4}, 1.0, 128)
    text = s.getvalue()
    assert "\rEpoch".lower() in text.lower() and "ETA" in text and "4/4" in text
    assert text.endswith("epoch 1/2: loss 0.5000 - val_loss 0.4000 - 1.0 s (128 samples/s)\n")
    quiet = TTY()
    q = Progress(2, stream=quiet, quiet=True)
    q.start_epoch(1, 4)
    q.step(4, 0.5, 10)
    q.end_epoch({"loss": 0.5}, 1.0, 1)
    assert quiet.getvalue() == ""


def test_default_dataset(monkeypatch, tmp_path):
    d = write_idx_dir(tmp_path / "fm")
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", str(d))
    assert data.default_dataset(cnn_spec(), None) == "fashion_mnist"
    assert data.default_dataset(mlp_spec(), None) == "synthetic"
    assert data.default_dataset(cnn_spec(), str(d)) == "idx"
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", str(tmp_path / "absent"))
    assert data.default_dataset(cnn_spec(), None) == "synthetic"


GENERATED = '''\
# Code generated by neuralgen from tests/tiny.neural. DO NOT EDIT.
# neuralgen 0.1.0, runtime contract {contract}.
"""A stand-in for a generated module."""
import sys

import torch
from torch import nn

import rules_neural as rn

rn.require_contract({contract}, generator="0.1.0", source="tests/tiny.neural")

SPEC = {spec!r}


class TinyMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(20, 3)

    def forward(self, features):
        return self.dense(features)

    def predict(self, features):
        return torch.softmax(self.forward(features), dim=-1)


def main(argv=None):
    return rn.cli.main(TinyMLP, SPEC, argv)


if __name__ == "__main__":
    sys.exit(main())
'''


def test_generated_module_as_a_script(tmp_path):
    import os

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    script = tmp_path / "tiny_mlp.py"
    script.write_text(GENERATED.format(contract=1, spec=mlp_spec()))
    r = subprocess.run([sys.executable, str(script), "--epochs", "1", "--synthetic-size", "64",
                        "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "epoch 1/1:" in r.stdout and (tmp_path / "out" / "model.onnx").exists()
    script.write_text(GENERATED.format(contract=7, spec=mlp_spec()))
    r = subprocess.run([sys.executable, str(script), "--help"], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert "ImportError: tests/tiny.neural was generated by neuralgen 0.1.0 for runtime " \
           "contract 7" in r.stderr
