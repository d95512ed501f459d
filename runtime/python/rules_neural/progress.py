"""Per-epoch progress: a line rewritten in place on a terminal.

On a TTY the line shows the step, running loss, throughput and ETA and is
redrawn at most ten times a second. When the stream is not a TTY (logs, CI)
only one summary line per epoch is printed; with ``quiet`` nothing is.
"""
from __future__ import annotations

import sys
import time
from typing import Mapping, Optional, TextIO


def format_duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_metrics(values: Mapping[str, float]) -> str:
    parts = []
    for key, value in values.items():
        if isinstance(value, float):
            parts.append(f"{key} {value:.4f}")
        elif value is not None:
            parts.append(f"{key} {value}")
    return " - ".join(parts)


class Progress:
    """Progress of one run; call :meth:`start_epoch`, :meth:`step`, :meth:`end_epoch`."""

    def __init__(self, epochs: int, stream: Optional[TextIO] = None, quiet: bool = False,
                 interval: float = 0.1):
        self.stream = stream or sys.stdout
        self.quiet = quiet
        isatty = getattr(self.stream, "isatty", None)
        self.live = not quiet and bool(isatty and isatty())
        self.epochs = epochs
        self.interval = interval
        self._last_draw = 0.0
        self._width = 0

    def print(self, line: str) -> None:
        """A line of output (suppressed when quiet)."""
        if self.quiet:
            return
        self._clear()
        print(line, file=self.stream, flush=True)

    def _clear(self) -> None:
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def start_epoch(self, epoch: int, steps: int) -> None:
        self.epoch, self.steps = epoch, steps
        self.t0 = time.perf_counter()
        self._last_draw = 0.0

    def step(self, done: int, loss: float, samples: int) -> None:
        if not self.live:
            return
        now = time.perf_counter()
        if done < self.steps and now - self._last_draw < self.interval:
            return
        self._last_draw = now
        elapsed = max(now - self.t0, 1e-9)
        rate = samples / elapsed
        eta = elapsed / max(done, 1) * (self.steps - done)
        width = 20
        filled = int(width * done / max(self.steps, 1))
        bar = "=" * filled + (">" if filled < width else "") + " " * max(0, width - filled - 1)
        line = (f"epoch {self.epoch}/{self.epochs} [{bar}] {done}/{self.steps} "
                f"loss {loss:.4f} {rate:,.0f} samples/s ETA {format_duration(eta)}")
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def end_epoch(self, values: Mapping[str, float], seconds: float, rate: float) -> None:
        self.print(f"epoch {self.epoch}/{self.epochs}: {format_metrics(values)} - "
                   f"{seconds:.1f} s ({rate:,.0f} samples/s)")
