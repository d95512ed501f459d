"""ONNX export of a trained module (opset 17).

The exported graph is the model as the .neural file reads: ``predict()``
(forward plus the output activation), so a softmax classifier's ONNX output
is probabilities. Inputs keep their SPEC names and PyTorch layouts
(channels-first images), the batch axis and unknown (``None``) dimensions
are dynamic, and the SPEC's names and layouts are recorded as metadata for
the Go runtime. The file passes ``onnx.checker`` before it is written
atomically.
"""
from __future__ import annotations

import io
import json
import warnings
from pathlib import Path
from typing import Any, Mapping, Union

import torch
from torch import nn
from torch.onnx import errors as onnx_errors

from . import CONTRACT, __version__
from . import spec as specs
from .checkpoint import atomic_write_bytes
from .errors import UserError


class ExportError(UserError):
    """The model cannot be exported to ONNX (the training results are kept)."""


OPSET = 17
OUTPUT_NAME = "output"


class _Predict(nn.Module):
    """Positional inputs → the wrapped module's predict() by keyword (SPEC ``arg``)."""

    def __init__(self, model: nn.Module, names: list):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        kwargs = dict(zip(self.names, inputs))
        fn = getattr(self.model, "predict", None) or self.model
        return fn(**kwargs)


def example_inputs(spec: Mapping[str, Any], batch: int = 2) -> dict:
    """Inputs shaped like the SPEC's, from a private RNG (global RNG untouched)."""
    g = torch.Generator().manual_seed(0)
    out = {}
    for inp in specs.inputs(spec):
        shape = (batch,) + inp.concrete_torch_shape()
        if inp.is_tokens:
            out[inp.name] = torch.ones(shape, dtype=torch.int64)
        else:
            out[inp.name] = torch.randn(shape, generator=g)
    return out


def to_onnx_bytes(model: nn.Module, spec: Mapping[str, Any], opset: int = OPSET) -> bytes:
    """The serialized, checked ONNX model for ``model``."""
    import onnx

    ins = specs.inputs(spec)
    names = [i.name for i in ins]
    args = [i.arg for i in ins]
    example = example_inputs(spec)
    dynamic = {}
    for inp in ins:
        axes = {0: "batch"}
        for axis, dim in enumerate(inp.torch_shape, start=1):
            if dim is None:
                axes[axis] = f"{inp.name}_dim{axis}"
        dynamic[inp.name] = axes
    dynamic[OUTPUT_NAME] = {0: "batch"}
    buf = io.BytesIO()
    # Export on the CPU in eval mode, then put the model back as it was. (No
    # deepcopy: modules may hold objects that cannot be copied, like Generators.)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    training = model.training
    model.to("cpu").eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings are noise for users
            # Traced with grad mode on: torch 1.13 otherwise takes fused inference
            # kernels (nn.TransformerEncoderLayer's fast path) that ONNX cannot express.
            with torch.enable_grad():
                torch.onnx.export(_Predict(model, args), tuple(example[n] for n in names), buf,
                                  opset_version=opset, input_names=names,
                                  output_names=[OUTPUT_NAME], dynamic_axes=dynamic,
                                  do_constant_folding=True)
    finally:
        model.to(device).train(training)
    proto = onnx.load_from_string(buf.getvalue())
    meta = {
        "rules_neural.contract": str(CONTRACT),
        "rules_neural.runtime": __version__,
        "neuralgen.network": str(spec.get("name") or ""),
        "neuralgen.source": str(spec.get("source") or ""),
        "rules_neural.inputs": json.dumps([{"name": i.name, "shape": list(i.torch_shape),
                                            "layout": i.layout, "dtype": i.dtype}
                                           for i in ins]),
        "rules_neural.output_activation": specs.output_activation(spec),
    }
    for key, value in meta.items():
        prop = proto.metadata_props.add()
        prop.key, prop.value = key, value
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def export_onnx(model: nn.Module, spec: Mapping[str, Any],
                path: Union[str, Path], opset: int = OPSET) -> Path:
    """Export ``model`` to ``path`` (checked, written atomically)."""
    try:
        data = to_onnx_bytes(model, spec, opset)
    except Exception as e:
        # Not the user's mistake, but a traceback from inside the ONNX exporter
        # does not help them either: say what failed; the cause stays chained
        # (``__cause__``) for whoever debugs the generator or the layers.
        text = str(e).split(" Please feel free")[0].strip()
        if "2GB" in text or "2 GiB" in text or "exceeds maximum protobuf size" in text:
            raise ExportError(f"the model is too large for a single ONNX file ({text}); "
                              "pass --no-export") from e
        if not text:
            text = f"{type(e).__name__} inside torch.onnx.export"
        elif not isinstance(e, onnx_errors.OnnxExporterError):
            text = f"{type(e).__name__}: {text}"
        raise ExportError(f"ONNX export failed: {text} (the checkpoint and metrics are "
                          "saved; pass --no-export to skip the export)") from e
    path = Path(path)
    atomic_write_bytes(path, data)
    return path
