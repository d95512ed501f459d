"""Atomic writes: a crash never leaves a half-written file."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from rules_neural import checkpoint

ROOT = Path(__file__).resolve().parents[1]


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "f.bin"
    checkpoint.atomic_write_bytes(p, b"one")
    checkpoint.atomic_write_bytes(p, b"two")
    assert p.read_bytes() == b"two"
    assert [x.name for x in tmp_path.iterdir()] == ["f.bin"]


def test_error_mid_write_keeps_the_old_file_and_no_temp(tmp_path):
    p = tmp_path / "checkpoint.pt"
    checkpoint.save(p, {"epoch": 1})

    def crash(f):
        f.write(b"partial bytes")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        checkpoint.atomic_write(p, crash)
    assert checkpoint.load(p)["epoch"] == 1
    assert [x.name for x in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_torch_save_failure_is_atomic(tmp_path, monkeypatch):
    p = tmp_path / "checkpoint.pt"

    def broken_save(obj, f):
        f.write(b"\x80\x02garbage")
        raise RuntimeError("serialization failed")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(RuntimeError):
        checkpoint.save(p, {"epoch": 2})
    assert not p.exists() and not list(tmp_path.iterdir())


def test_killed_process_leaves_old_file_then_temp_is_cleaned(tmp_path):
    p = tmp_path / "checkpoint.pt"
    checkpoint.save(p, {"epoch": 1})
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from rules_neural import checkpoint
        def die(f):
            f.write(b"half a checkpoint")
            f.flush()
            os._exit(9)          # a crash: no cleanup, no exception handling
        checkpoint.atomic_write({str(p)!r}, die)
    """)
    r = subprocess.run([sys.executable, "-c", script])
    assert r.returncode == 9
    assert checkpoint.load(p)["epoch"] == 1           # the complete old checkpoint
    stale = list(tmp_path.glob(".checkpoint.pt.*.tmp"))
    assert len(stale) == 1
    assert checkpoint.remove_stale_temps(tmp_path) == stale
    assert [x.name for x in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_corrupt_checkpoint_message(tmp_path):
    p = tmp_path / "checkpoint.pt"
    p.write_bytes(b"not a checkpoint")
    with pytest.raises(Exception, match="not a readable checkpoint"):
        checkpoint.load(p)


def test_json_is_strict(tmp_path):
    p = tmp_path / "m.json"
    checkpoint.atomic_write_json(p, {"a": float("nan"), "b": torch.tensor(2.5),
                                     "c": [float("inf"), 1]})
    assert json.loads(p.read_text()) == {"a": None, "b": 2.5, "c": [None, 1]}


def test_rng_state_round_trip():
    g = torch.Generator().manual_seed(1)
    state = checkpoint.rng_state(g)
    a = (torch.rand(3), torch.randperm(5, generator=g))
    checkpoint.restore_rng_state(state, g)
    b = (torch.rand(3), torch.randperm(5, generator=g))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
