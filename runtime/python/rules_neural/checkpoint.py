"""Checkpoints, metrics.json and atomic file writes.

Every file the runtime produces is written to a temporary file in the same
directory, flushed and fsync'ed, then renamed over the destination with
``os.replace`` (atomic on POSIX), and the directory is fsync'ed. A crash or
an error at any point leaves either the previous complete file or none,
never a half-written one. Temporary files are named ``.<name>.*.tmp``;
:func:`remove_stale_temps` deletes those a killed process left behind.
"""
from __future__ import annotations

import json
import math
import os
import platform
import random
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, Optional, Union

import numpy as np
import torch

from .errors import UserError

PathLike = Union[str, "os.PathLike[str]"]
CHECKPOINT = "checkpoint.pt"
METRICS = "metrics.json"
FORMAT = 1  # version of the checkpoint dict layout


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on directories
    finally:
        os.close(fd)


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file, then move it onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    atomic_write(path, lambda f: f.write(data))


def to_json(value: Any) -> Any:
    """Plain JSON values: numpy/torch scalars to numbers, NaN/inf to null."""
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, torch.Tensor):
        value = value.tolist()
        return to_json(value)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def atomic_write_json(path: PathLike, value: Any) -> None:
    text = json.dumps(to_json(value), indent=2, sort_keys=False, allow_nan=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_stale_temps(directory: PathLike) -> list:
    """Delete temporary files of interrupted atomic writes in ``directory``."""
    removed = []
    d = Path(directory)
    if not d.is_dir():
        return removed
    for p in d.glob(".*.tmp"):
        name = p.name[1:].rsplit(".", 2)[0]
        if name in (CHECKPOINT, METRICS, "model.onnx", "best.json") and p.is_file():
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


# ----------------------------------------------------------------- RNG


def rng_state(generator: Optional[torch.Generator] = None) -> dict:
    state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
             "python": random.getstate()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    if generator is not None:
        state["shuffle"] = generator.get_state()
    return state


def restore_rng_state(state: Mapping[str, Any],
                      generator: Optional[torch.Generator] = None) -> None:
    torch.set_rng_state(state["torch"])
    np.random.set_state(state["numpy"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    if generator is not None and "shuffle" in state:
        generator.set_state(state["shuffle"])


# ---------------------------------------------------------- checkpoints


def save(path: PathLike, state: Mapping[str, Any]) -> None:
    """Write a checkpoint dict atomically (see :func:`atomic_write`)."""
    payload = {"format": FORMAT, **state}
    atomic_write(path, lambda f: torch.save(payload, f))


def load(path: PathLike) -> dict:
    """Read a checkpoint written by :func:`save`, or explain what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no checkpoint to resume from (train without --resume first)")
    try:
        state = torch.load(path, map_location="cpu")
    except Exception as e:  # torch raises many types for damaged files
        raise UserError(f"{path}: not a readable checkpoint ({type(e).__name__}: {e})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise UserError(f"{path}: not a rules_neural checkpoint (format {FORMAT})")
    return state


def environment(device: Optional[torch.device] = None) -> dict:
    """What the numbers in metrics.json were measured on."""
    from . import __version__

    env = {
        "runtime": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "executable": sys.executable,
        "device": str(device) if device is not None else None,
    }
    if device is not None and device.type == "cuda":
        env["device_name"] = torch.cuda.get_device_name(device)
        env["cuda"] = torch.version.cuda
    return env
