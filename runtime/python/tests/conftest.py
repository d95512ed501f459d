"""Hand-written stand-ins for generated modules and their SPECs.

Each model follows docs/backends/pytorch-contract.md: forward() takes one
keyword argument per named input in PyTorch layout and returns logits when
the SPEC says ``output.logits``; predict() applies the output activation.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rules_neural  # noqa: E402


def make_spec(name="Tiny", inputs=None, output=None, loss="sparse_categorical_crossentropy",
              loss_args=None, optimizer="Adam", optimizer_args=None, metrics=("accuracy",),
              train=None, hpo=None, execution=None):
    spec = {
        "contract": rules_neural.CONTRACT,
        "name": name,
        "source": f"tests/{name.lower()}.neural",
        "inputs": inputs or [{"name": "features", "shape": [20], "torch_shape": [20],
                              "layout": "NF", "dtype": "float32"}],
        "output": output or {"shape": [3], "activation": "softmax", "logits": True},
        "loss": {"name": loss, "args": dict(loss_args or {})},
        "optimizer": {"name": optimizer,
                      "args": dict({"learning_rate": 0.01} if optimizer_args is None
                                   else optimizer_args)},
        "metrics": [m if isinstance(m, dict) else {"name": m, "args": {}} for m in metrics],
        "train": {"epochs": 2, "batch_size": 32, "validation_split": 0.2, "shuffle": True,
                  "seed": None, "gradient_clip": None, "gradient_accumulation_steps": 1,
                  "mixed_precision": False, "early_stopping": None, "device": None},
        "execution": execution or {"device": None, "precision": None},
        "hpo": hpo or [],
    }
    spec["train"].update(train or {})
    return spec


class MLP(nn.Module):
    """Dense(32, relu) → Output(classes, softmax) on a vector input named ``features``."""

    def __init__(self, n_in=20, hidden=32, classes=3, dropout=0.0):
        super().__init__()
        self.dense = nn.Linear(n_in, hidden)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden, classes)

    def forward(self, features):
        return self.output(self.dropout(torch.relu(self.dense(features))))

    def predict(self, features):
        return torch.softmax(self.forward(features), dim=-1)


class CNN(nn.Module):
    """Conv2D(4, 3×3, relu) → MaxPooling2D → Flatten → Output(10, softmax), input ``image``."""

    def __init__(self):
        super().__init__()
        self.conv2d = nn.Conv2d(1, 4, kernel_size=(3, 3))
        self.pool = nn.MaxPool2d(2)
        self.output = nn.Linear(13 * 13 * 4, 10)

    def forward(self, image):
        x = self.pool(torch.relu(self.conv2d(image)))
        return self.output(torch.flatten(x, 1))

    def predict(self, image):
        return torch.softmax(self.forward(image), dim=-1)


class TokenModel(nn.Module):
    """Embedding(50, 8) → GlobalAveragePooling1D → Output(4, softmax), input ``tokens``."""

    def __init__(self, vocab=50, classes=4):
        super().__init__()
        self.embedding = nn.Embedding(vocab, 8)
        self.output = nn.Linear(8, classes)

    def forward(self, tokens):
        return self.output(self.embedding(tokens).mean(dim=1))

    def predict(self, tokens):
        return torch.softmax(self.forward(tokens), dim=-1)


class TwoInputs(nn.Module):
    """Branches for an image and a vector, concatenated, Output(2, softmax)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 3)
        self.dense = nn.Linear(5, 4)
        self.output = nn.Linear(2 * 6 * 6 + 4, 2)

    def forward(self, image, meta):
        a = torch.flatten(torch.relu(self.conv(image)), 1)
        b = torch.relu(self.dense(meta))
        return self.output(torch.cat([a, b], dim=1))

    def predict(self, image, meta):
        return torch.softmax(self.forward(image, meta), dim=-1)


class Regressor(nn.Module):
    def __init__(self, n_in=20, n_out=2):
        super().__init__()
        self.dense = nn.Linear(n_in, 16)
        self.output = nn.Linear(16, n_out)

    def forward(self, features):
        return self.output(torch.tanh(self.dense(features)))

    def predict(self, features):
        return self.forward(features)


def mlp_spec(**kw):
    return make_spec("TinyMLP", **kw)


def cnn_spec(**kw):
    kw.setdefault("optimizer_args", {"learning_rate": 0.003})
    return make_spec("TinyCNN", inputs=[{"name": "image", "shape": [28, 28, 1],
                                         "torch_shape": [1, 28, 28], "layout": "NCHW",
                                         "dtype": "float32"}],
                     output={"shape": [10], "activation": "softmax", "logits": True}, **kw)


def token_spec(**kw):
    kw.setdefault("optimizer_args", {"learning_rate": 0.05})
    return make_spec("TinyTokens", inputs=[{"name": "tokens", "shape": [12],
                                            "torch_shape": [12], "layout": "tokens",
                                            "dtype": "int64"}],
                     output={"shape": [4], "activation": "softmax", "logits": True}, **kw)


def two_input_spec(**kw):
    return make_spec("TwoInputs", inputs=[
        {"name": "image", "shape": [8, 8, 3], "torch_shape": [3, 8, 8], "layout": "NCHW",
         "dtype": "float32"},
        {"name": "meta", "shape": [5], "torch_shape": [5], "layout": "NF", "dtype": "float32"}],
        output={"shape": [2], "activation": "softmax", "logits": True}, **kw)


def regression_spec(loss="mse", n_out=2, **kw):
    kw.setdefault("metrics", ("mae",))
    return make_spec("TinyRegressor", loss=loss,
                     output={"shape": [n_out], "activation": "linear", "logits": False}, **kw)


@pytest.fixture
def spec_factory():
    return copy.deepcopy


@pytest.fixture
def mlp():
    return MLP, mlp_spec()


@pytest.fixture
def cnn():
    return CNN, cnn_spec()


@pytest.fixture
def tokens():
    return TokenModel, token_spec()
