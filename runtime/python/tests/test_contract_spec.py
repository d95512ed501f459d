"""SPEC details as the generator writes them (generator/backend/pytorch/spec.go)."""
import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from conftest import MLP, make_spec, mlp_spec
from rules_neural import cli, data, devices, losses, spec as specs, train
from rules_neural.errors import UsageError


class Segmenter(nn.Module):
    """(8, 8, 3) image → per-pixel 4-class logits, channels-first like generated code."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, image):
        return self.conv(image)

    def predict(self, image):
        return torch.softmax(self.forward(image), dim=1)


def segmenter_spec():
    return make_spec("Segmenter", inputs=[{"name": "image", "arg": "image", "shape": [8, 8, 3],
                                           "torch_shape": [3, 8, 8], "layout": "NCHW",
                                           "dtype": "float32"}],
                     output={"shape": [8, 8, 4], "torch_shape": [4, 8, 8], "layout": "NCHW",
                             "activation": "softmax", "logits": True})


def test_channels_first_outputs_meet_channels_last_targets():
    spec = segmenter_spec()
    assert specs.output_channels_first(spec)
    model = Segmenter()
    x = torch.randn(2, 3, 8, 8)
    y = torch.randint(0, 4, (2, 8, 8))
    out = train.call_model(model, spec, {"image": x})
    assert out.shape == (2, 8, 8, 4)
    got = losses.build(spec)(out, y)
    torch.testing.assert_close(got, F.cross_entropy(model(x), y))  # torch's NCHW form
    _, result = _fit(Segmenter, spec, epochs=3)
    assert result.history[-1]["val_loss"] < result.history[0]["val_loss"]


class Renamed(MLP):
    """forward()'s argument differs from the input's name (a Python keyword)."""

    def forward(self, class_):
        return super().forward(class_)

    def predict(self, class_):
        return torch.softmax(self.forward(class_), dim=-1)


def _fit(model_cls, spec, **kw):
    cfg = train.Config.from_spec(spec, quiet=True, export=False, **kw)
    model = train.build_model(model_cls, cfg.seed)
    d = data.load(spec, "synthetic", synthetic_size=128, seed=cfg.seed)
    return model, train.Trainer(model, spec, cfg, d).fit()


def test_forward_argument_names_come_from_arg(tmp_path):
    spec = mlp_spec()
    spec["inputs"][0].update(name="class", arg="class_")
    d = data.load(spec, "synthetic", synthetic_size=64)
    assert list(d.train.x) == ["class"]
    cfg = train.Config.from_spec(spec, quiet=True, out_dir=tmp_path, epochs=1)
    train.Trainer(Renamed(), spec, cfg, d).fit()
    assert (tmp_path / "model.onnx").exists()


def test_unset_arguments_are_none():
    spec = make_spec(loss="huber", loss_args={"delta": None},
                     output={"shape": [3], "activation": "linear", "logits": False},
                     metrics=[{"name": "top_k_accuracy", "args": {"k": None}}],
                     optimizer_args={"learning_rate": {"schedule": "CosineDecay", "args": {
                         "initial_learning_rate": 0.01, "decay_steps": 10, "alpha": None,
                         "warmup_steps": None}}, "clipnorm": None, "clipvalue": None})
    spec["train"].update(shuffle=None, search_method=None, trials=None)
    assert losses.build(spec).delta == 1.0
    model, result = _fit(MLP, spec, epochs=1)
    assert "val_top_5_accuracy" in result.history[0]


def test_missing_loss_and_optimizer_use_announced_defaults(capsys, tmp_path):
    spec = mlp_spec()
    spec["loss"] = None
    spec["optimizer"] = None
    assert specs.loss(spec) == ("sparse_categorical_crossentropy", {})
    code = cli.main(MLP, spec, ["--synthetic-size", "64", "--no-export", "--max-steps", "1",
                                "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "note: TinyMLP has no loss; training with sparse_categorical_crossentropy" in out
    assert "note: TinyMLP has no optimizer; training with Adam" in out


def test_model_device_falls_back_but_flag_does_not(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    device, note = devices.choose(None, "cuda:0")
    assert device.type == "cpu" and "asks for device 'cuda:0'" in note
    with pytest.raises(UsageError, match="CUDA is not available"):
        devices.choose("cuda", None)
    assert devices.choose(None, None) == (torch.device("cpu"), None)


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
        self.output = nn.Linear(8, 3)

    def forward(self, features):
        return self.output(self.encoder(features).mean(dim=1))

    def predict(self, features):
        return torch.softmax(self.forward(features), dim=-1)


def transformer_spec(**kw):
    return make_spec("TinyTransformer", inputs=[{"name": "features", "shape": [5, 8],
                                                 "torch_shape": [5, 8], "layout": "NTF",
                                                 "dtype": "float32"}], **kw)


def test_transformer_trains_in_bf16_and_exports(tmp_path):
    import onnx

    spec = transformer_spec(execution={"device": "cpu", "precision": "bf16"})
    cfg = train.Config.from_spec(spec, quiet=True, out_dir=tmp_path, epochs=2)
    d = data.load(spec, "synthetic", synthetic_size=64)
    result = train.Trainer(train.build_model(TinyTransformer, 0), spec, cfg, d).fit()
    assert result.history[-1]["loss"] < result.history[0]["loss"]
    onnx.checker.check_model(onnx.load(str(tmp_path / "model.onnx")))


class Unexportable(MLP):
    def predict(self, features):
        raise RuntimeError("no ONNX for you")


def test_export_failure_is_a_clear_error_after_saving(capsys, tmp_path):
    code = cli.main(Unexportable, mlp_spec(), ["--synthetic-size", "64", "--max-steps", "1",
                                               "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "error: ONNX export failed: RuntimeError: no ONNX for you" in err
    assert (tmp_path / "checkpoint.pt").exists()
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["status"] == "completed" and "no ONNX" in doc["export"]["error"]
    assert not (tmp_path / "model.onnx").exists()
