"""Timing helpers for benchmark targets.

Benchmarks time a callable several times after warm-up runs and report the
median (robust to the odd slow run) with the spread. On CUDA the device is
synchronised around each run so that asynchronous kernels are counted.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Timing:
    """Seconds per run of ``runs`` timed runs."""

    runs: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def max(self) -> float:
        return max(self.runs)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.runs)

    @property
    def stdev(self) -> float:
        return statistics.stdev(self.runs) if len(self.runs) > 1 else 0.0

    def samples_per_second(self, samples_per_run: int) -> float:
        """Throughput at the median run time."""
        return samples_per_second(samples_per_run, self.median)

    def as_dict(self, samples_per_run: Optional[int] = None) -> dict:
        out = {"runs": len(self.runs), "median_s": self.median, "min_s": self.min,
               "max_s": self.max, "mean_s": self.mean, "stdev_s": self.stdev}
        if samples_per_run:
            out["samples_per_second"] = self.samples_per_second(samples_per_run)
        return out


def samples_per_second(samples: int, seconds: float) -> float:
    return samples / seconds if seconds > 0 else float("inf")


def _sync(device: Any) -> None:
    if device is None:
        return
    import torch

    device = torch.device(device)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(fn: Callable[[], Any], runs: int = 5, warmup: int = 1,
            device: Any = None) -> Timing:
    """Time ``fn()`` ``runs`` times after ``warmup`` untimed calls."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    for _ in range(warmup):
        fn()
    _sync(device)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        _sync(device)
        times.append(time.perf_counter() - t0)
    return Timing(times)
