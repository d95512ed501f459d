"""Reading a generated module's ``SPEC`` (docs/backends/pytorch-contract.md).

The runtime reads only the SPEC, never the .neural file. This module turns
the plain-literal dict into typed views, canonicalises names (LANGUAGE.md §7
aliases) and fills the defaults the contract leaves unset (``None``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

# Length used for dimensions of unknown size (a `None` sequence length) when
# the runtime has to make up data: synthetic datasets and ONNX export.
DEFAULT_UNKNOWN_DIM = 16

# Used when SPEC.train.seed is unset, so that every run is reproducible.
DEFAULT_SEED = 0

# Used when SPEC.train.validation_split is unset: we always validate.
DEFAULT_VALIDATION_SPLIT = 0.1

_LOSS_ALIASES = {
    "mean_squared_error": "mse",
    "mean_absolute_error": "mae",
    "binary_cross_entropy": "binary_crossentropy",
    "categorical_cross_entropy": "categorical_crossentropy",
    "cross_entropy": "categorical_crossentropy",
    "sparse_categorical_cross_entropy": "sparse_categorical_crossentropy",
    "kld": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
}
LOSSES = ("mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "kl_divergence", "hinge",
          "cosine_similarity")
CROSS_ENTROPY_LOSSES = ("binary_crossentropy", "categorical_crossentropy",
                        "sparse_categorical_crossentropy")

_METRIC_ALIASES = {
    "acc": "accuracy",
    "top_k_categorical_accuracy": "top_k_accuracy",
    "sparse_top_k_categorical_accuracy": "top_k_accuracy",
    "f1_score": "f1",
}
METRICS = ("accuracy", "top_k_accuracy", "precision", "recall", "f1", "auc")

# What the targets of each loss look like; drives data conversion, synthetic
# labels and the meaning of classification metrics.
TARGET_KINDS = {
    "sparse_categorical_crossentropy": "class",       # int64 class index
    "categorical_crossentropy": "onehot",             # float one-hot rows
    "binary_crossentropy": "binary",                  # float 0/1
    "hinge": "signed",                                # float -1/+1
    "kl_divergence": "distribution",                  # float rows summing to 1
    "mse": "real", "mae": "real", "huber": "real", "cosine_similarity": "real",
}


def canonical_loss(name: str) -> str:
    n = str(name).strip().lower()
    n = _LOSS_ALIASES.get(n, n)
    if n not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}")
    return n


def canonical_metric(name: str) -> str:
    """Canonical metric name; loss names are metrics too."""
    n = str(name).strip().lower()
    n = _METRIC_ALIASES.get(n, n)
    if n in METRICS or n in ("loss",):
        return n
    try:
        return canonical_loss(n)
    except ValueError:
        raise ValueError(f"unknown metric {name!r}; expected one of "
                         f"{', '.join(METRICS)} or a loss name") from None


@dataclass(frozen=True)
class InputSpec:
    """One model input as the SPEC describes it."""

    name: str
    shape: tuple          # DSL shape without batch, channels-last; None = unknown
    torch_shape: tuple    # what forward() takes, without batch
    layout: str           # NCHW | NCDHW | NTF | NF | tokens (others: NC…)
    dtype: str            # float32 | int64
    arg: str = ""         # forward()'s keyword for this input (default: name)
    channels_first: bool = False  # the DSL's trailing channel axis moves to axis 1

    @property
    def is_tokens(self) -> bool:
        return self.layout == "tokens" or self.dtype.startswith("int")

    @property
    def is_image(self) -> bool:
        return self.channels_first

    def concrete_shape(self, unknown: int = DEFAULT_UNKNOWN_DIM) -> tuple:
        return tuple(unknown if d is None else int(d) for d in self.shape)

    def concrete_torch_shape(self, unknown: int = DEFAULT_UNKNOWN_DIM) -> tuple:
        return tuple(unknown if d is None else int(d) for d in self.torch_shape)


def _default_layout(shape: Sequence, tokens: bool = False) -> str:
    if tokens:
        return "tokens"
    return {1: "NF", 2: "NTF", 3: "NCHW", 4: "NCDHW"}.get(len(shape), "NC*" if shape else "NF")


def _channels_first(shape: tuple, torch_shape: Optional[tuple], layout: str) -> bool:
    """Whether a tensor's torch layout has the DSL's last axis at position 1.

    The SPEC's ``torch_shape`` decides when it differs from ``shape``;
    otherwise (no torch_shape, or dimensions that read the same both ways)
    the layout name does: ``NC…`` for rank 3 and more, as the generator's
    canonical layouts are.
    """
    moved = (shape[-1],) + shape[:-1] if len(shape) >= 2 else shape
    if torch_shape is not None and tuple(torch_shape) != moved:
        return False
    if torch_shape is not None and tuple(torch_shape) != shape:
        return True
    return layout.startswith("NC") and len(shape) >= 3


def inputs(spec: Mapping[str, Any]) -> list[InputSpec]:
    out = []
    for raw in spec.get("inputs") or []:
        shape = tuple(raw["shape"])
        dtype = str(raw.get("dtype") or "float32")
        layout = raw.get("layout") or _default_layout(shape, dtype.startswith("int"))
        torch_shape = raw.get("torch_shape")
        first = layout != "tokens" and _channels_first(shape, torch_shape, layout)
        if torch_shape is None:
            torch_shape = (shape[-1],) + shape[:-1] if first else shape
        out.append(InputSpec(name=str(raw["name"]), shape=shape,
                             torch_shape=tuple(torch_shape), layout=layout, dtype=dtype,
                             arg=str(raw.get("arg") or raw["name"]), channels_first=first))
    if not out:
        raise ValueError("SPEC has no inputs")
    return out


def output_shape(spec: Mapping[str, Any]) -> tuple:
    """The output's DSL shape (channels-last), without batch."""
    return tuple(spec["output"]["shape"])


def output_channels_first(spec: Mapping[str, Any]) -> bool:
    """Whether forward() returns the output with its last DSL axis at position 1."""
    out = spec["output"]
    shape = tuple(out["shape"])
    layout = out.get("layout") or _default_layout(shape)
    return _channels_first(shape, out.get("torch_shape"), layout)


def output_activation(spec: Mapping[str, Any]) -> str:
    act = spec["output"].get("activation")
    return str(act).lower() if act else "linear"


def output_is_logits(spec: Mapping[str, Any]) -> bool:
    return bool(spec["output"].get("logits"))


def _set_args(raw: Mapping[str, Any]) -> dict:
    """Arguments that are set: the SPEC writes every schema parameter, None if unset."""
    return {k: v for k, v in dict(raw.get("args") or {}).items() if v is not None}


def default_loss(spec: Mapping[str, Any]) -> str:
    """The loss used when the .neural file has none, from the output activation."""
    act = output_activation(spec)
    if act in ("softmax", "log_softmax"):
        return "sparse_categorical_crossentropy"
    if act == "sigmoid":
        return "binary_crossentropy"
    return "mse"


def loss(spec: Mapping[str, Any]) -> tuple[str, dict]:
    raw = spec.get("loss")
    if not raw:
        return default_loss(spec), {}
    if isinstance(raw, str):
        return canonical_loss(raw), {}
    return canonical_loss(raw["name"]), _set_args(raw)


def target_kind(spec: Mapping[str, Any]) -> str:
    return TARGET_KINDS[loss(spec)[0]]


def num_classes(spec: Mapping[str, Any]) -> int:
    """Size of the output's last axis (the classes of a classifier)."""
    shape = output_shape(spec)
    last = shape[-1] if shape else 1
    return int(last) if last is not None else 1


def target_shape(spec: Mapping[str, Any]) -> tuple:
    """Shape of one sample's target as the loss expects it (without batch)."""
    shape = tuple(DEFAULT_UNKNOWN_DIM if d is None else int(d) for d in output_shape(spec))
    if target_kind(spec) == "class":
        return shape[:-1]
    return shape


def metrics(spec: Mapping[str, Any]) -> list[tuple[str, dict]]:
    out = []
    for raw in spec.get("metrics") or []:
        if isinstance(raw, str):
            out.append((canonical_metric(raw), {}))
        else:
            out.append((canonical_metric(raw["name"]), _set_args(raw)))
    return out


def is_image_classifier(spec: Mapping[str, Any], hwc: tuple = (28, 28, 1),
                        classes: int = 10) -> bool:
    """True for single-input image classifiers like the MNIST CNN."""
    try:
        ins = inputs(spec)
    except (KeyError, ValueError):
        return False
    if len(ins) != 1 or ins[0].is_tokens:
        return False
    shape = tuple(ins[0].shape)
    flat = len(shape) == 1 and shape[0] == math.prod(hwc)
    return ((shape == hwc or flat or shape == hwc[:2])
            and target_kind(spec) in ("class", "onehot")
            and output_shape(spec) == (classes,))


@dataclass
class TrainSettings:
    """SPEC.train with defaults filled in; the CLI overrides fields."""

    epochs: int = 1
    batch_size: int = 32
    validation_split: float = DEFAULT_VALIDATION_SPLIT
    shuffle: bool = True
    seed: int = DEFAULT_SEED
    gradient_clip: Optional[float] = None
    gradient_accumulation_steps: int = 1
    mixed_precision: bool = False
    early_stopping: Optional[dict] = None
    device: Optional[str] = None
    precision: Optional[str] = None


def train_settings(spec: Mapping[str, Any]) -> TrainSettings:
    t = dict(spec.get("train") or {})
    ex = dict(spec.get("execution") or {})
    s = TrainSettings()
    for key in ("epochs", "batch_size", "gradient_accumulation_steps", "seed"):
        if t.get(key) is not None:
            setattr(s, key, int(t[key]))
    if t.get("validation_split") is not None:
        s.validation_split = float(t["validation_split"])
    if t.get("shuffle") is not None:
        s.shuffle = bool(t["shuffle"])
    if t.get("gradient_clip") is not None:
        s.gradient_clip = float(t["gradient_clip"])
    s.mixed_precision = bool(t.get("mixed_precision") or False)
    if t.get("early_stopping"):
        s.early_stopping = dict(t["early_stopping"])
    s.device = t.get("device") or ex.get("device")
    s.precision = ex.get("precision")
    return s
