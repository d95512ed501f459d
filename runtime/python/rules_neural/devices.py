"""Device placement and numeric precision.

Device names follow LANGUAGE.md §4: ``cpu``, ``cuda[:N]`` (``gpu[:N]`` is the
same), ``mps``, and ``auto`` (CUDA when available, else CPU). ``tpu`` and
``xla`` are valid in the language but this PyTorch runtime cannot run them.

Mixed precision uses ``torch.autocast``: bf16 needs no loss scaling and works
on CPU and recent GPUs; fp16 is CUDA-only and uses a ``GradScaler``. With
``mixed_precision: true`` and no explicit precision the runtime picks bf16
where the device supports it, else fp16 (CUDA).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import torch

from .errors import UsageError

_DEVICE = re.compile(r"^(cpu|cuda|gpu|mps|tpu|xla|auto)(?::(\d+))?$")
_BF16 = {"bf16", "bfloat16", "mixed_bfloat16"}
_FP16 = {"fp16", "float16", "half", "mixed_float16", "16"}
_FP32 = {"fp32", "float32", "32", "full", "none"}


def resolve(name: Optional[str]) -> torch.device:
    """A torch device for a DSL/CLI device name, or a UsageError saying why not."""
    text = (name or "auto").strip().lower()
    m = _DEVICE.match(text)
    if not m:
        raise UsageError(f"unknown device {name!r}: expected cpu, cuda, cuda:N, mps or auto")
    kind, index = m.group(1), m.group(2)
    if kind == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if kind == "cpu":
        return torch.device("cpu")
    if kind in ("cuda", "gpu"):
        if not torch.cuda.is_available():
            why = "is a CPU-only build" if torch.version.cuda is None else "sees no GPU"
            raise UsageError(f"device {name!r}: CUDA is not available (torch "
                             f"{torch.__version__} {why}); use --device cpu or --device auto")
        i = int(index or 0)
        if i >= torch.cuda.device_count():
            raise UsageError(f"device {name!r}: only {torch.cuda.device_count()} CUDA "
                             f"device(s) (cuda:0 … cuda:{torch.cuda.device_count() - 1})")
        return torch.device("cuda", i)
    if kind == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise UsageError(f"device {name!r}: MPS is not available on this machine")
        return torch.device("mps")
    raise UsageError(f"device {name!r}: the PyTorch runtime cannot run on {kind.upper()}; "
                     "use cpu or cuda")


def choose(flag: Optional[str], model_default: Optional[str]) -> tuple:
    """``(device, note)``: the --device flag, else the model's device, else auto.

    A device named on the command line must be available (an error
    otherwise); a device the .neural file asks for falls back to ``auto``
    with a note, so a model written for a GPU still trains on a laptop.
    """
    if flag:
        return resolve(flag), None
    try:
        return resolve(model_default), None
    except UsageError:
        if not model_default:
            raise
        device = resolve("auto")
        return device, (f"the model asks for device {model_default!r}, which is not "
                        f"available here; using {device} (choose with --device)")


@dataclass(frozen=True)
class Precision:
    """How forward passes run: autocast dtype (None = float32) and loss scaling."""

    dtype: Optional[torch.dtype] = None
    scale_loss: bool = False
    note: Optional[str] = None

    @property
    def name(self) -> str:
        return {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}[self.dtype]


def _bf16_ok(device: torch.device) -> bool:
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu"


def precision(device: torch.device, requested: Optional[str], mixed: bool) -> Precision:
    """The precision for ``requested`` (SPEC execution.precision or --precision)."""
    text = (requested or "").strip().lower()
    if text and text not in _BF16 | _FP16 | _FP32:
        raise UsageError(f"unknown precision {requested!r}: expected fp32, bf16 or fp16")
    if text in _FP32 or (not text and not mixed):
        return Precision()
    if text in _BF16 or (not text and _bf16_ok(device)):
        if not _bf16_ok(device):
            raise UsageError(f"bf16 is not supported on {device}; use fp16 or fp32")
        return Precision(torch.bfloat16)
    if device.type == "cuda":
        return Precision(torch.float16, scale_loss=True)
    if _bf16_ok(device):
        return Precision(torch.bfloat16, note=f"fp16 mixed precision needs CUDA; "
                                              f"using bf16 on {device.type}")
    raise UsageError(f"mixed precision is not supported on {device}")
