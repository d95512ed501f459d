"""The training and evaluation loop.

:class:`Trainer` trains a generated module on prepared :class:`data.Data`
the way the SPEC says: loss and optimizer from LANGUAGE.md §7, learning-rate
schedule stepped per optimizer step, gradient accumulation, clipping, mixed
precision, early stopping with best-weight restore. It evaluates the
validation split after every epoch and the test split once at the end (never
the training split), writes ``checkpoint.pt`` and ``metrics.json`` after
every epoch (atomically) and exports ``model.onnx`` at the end.

Reproducibility: :func:`seed_everything` seeds torch, numpy and ``random``;
build the model right after it (:func:`build_model`) so that the same seed
gives the same initial weights as a hand-written script. Nothing between
model construction and the first step draws from the global torch RNG: the
shuffle order has its own generator, so dropout masks match as well.
"""
from __future__ import annotations

import contextlib
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import numpy as np
import torch
from torch import nn

from . import checkpoint as ckpt
from . import devices
from . import losses as loss_fns
from . import optim
from . import spec as specs
from .data import Batches, Data
from .errors import TrainingError, UsageError, UserError
from .metrics import MetricSet, metric_key
from .progress import Progress, format_metrics


@dataclass
class Config:
    """Everything a run needs besides the model and the data."""

    epochs: int = 1
    batch_size: int = 32
    lr: Optional[float] = None            # overrides the SPEC's (initial) learning rate
    device: Optional[str] = None          # cpu | cuda[:N] | mps | auto (--device: must exist)
    model_device: Optional[str] = None    # the model's own choice (falls back when missing)
    seed: int = specs.DEFAULT_SEED
    out_dir: Optional[Path] = None        # None: write nothing
    quiet: bool = False
    max_steps: Optional[int] = None       # stop after this many optimizer steps
    resume: bool = False
    export: bool = True
    validation_split: float = specs.DEFAULT_VALIDATION_SPLIT
    shuffle: bool = True
    gradient_clip: Optional[float] = None
    gradient_accumulation_steps: int = 1
    mixed_precision: bool = False
    precision: Optional[str] = None
    early_stopping: Optional[dict] = None
    threads: Optional[int] = None         # CPU threads; default 1 for stable timings

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any], **overrides: Any) -> "Config":
        s = specs.train_settings(spec)
        cfg = cls(epochs=s.epochs, batch_size=s.batch_size, seed=s.seed, model_device=s.device,
                  validation_split=s.validation_split, shuffle=s.shuffle,
                  gradient_clip=s.gradient_clip,
                  gradient_accumulation_steps=s.gradient_accumulation_steps,
                  mixed_precision=s.mixed_precision, precision=s.precision,
                  early_stopping=s.early_stopping)
        for key, value in overrides.items():
            if value is not None:
                setattr(cfg, key, value)
        return cfg

    def check(self) -> None:
        for key in ("epochs", "batch_size", "gradient_accumulation_steps"):
            if getattr(self, key) < 1:
                raise UsageError(f"{key.replace('_', '-')} must be at least 1, "
                                 f"got {getattr(self, key)}")
        if self.max_steps is not None and self.max_steps < 1:
            raise UsageError(f"max-steps must be at least 1, got {self.max_steps}")
        if self.lr is not None and not self.lr > 0:
            raise UsageError(f"the learning rate must be positive, got {self.lr}")
        if self.threads is not None and self.threads < 1:
            raise UsageError(f"threads must be at least 1, got {self.threads}")


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (all devices); make cuDNN deterministic."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def configure_threads(device: torch.device, threads: Optional[int]) -> None:
    """One CPU thread unless told otherwise: stable timings (DESIGN.md §4)."""
    if threads is not None:
        torch.set_num_threads(threads)
    elif device.type == "cpu":
        torch.set_num_threads(1)


def call_model(model: nn.Module, spec: Mapping[str, Any],
               inputs: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """Run forward() on inputs keyed by SPEC input name; output in the DSL layout.

    Inputs are passed as forward()'s keyword arguments (SPEC ``arg``);
    a channels-first output (rank >= 3) comes back channels-last, so losses
    and metrics always see the class/feature axis last, like the targets.
    """
    args = {i.name: i.arg for i in specs.inputs(spec)}
    out = model(**{args.get(k, k): v for k, v in inputs.items()})
    if specs.output_channels_first(spec) and out.dim() >= 3:
        out = out.movedim(1, -1)
    return out


def build_model(model_cls: Callable[[], nn.Module], seed: int) -> nn.Module:
    """Seed everything, then construct the model (same seed, same weights)."""
    seed_everything(seed)
    return model_cls()


def vocab_sizes(model: nn.Module, spec: Mapping[str, Any]) -> dict:
    """Embedding sizes for token inputs, for synthetic data and id checks.

    SPEC inputs may carry ``vocab_size``; otherwise the smallest
    ``nn.Embedding`` of the model bounds every token input.
    """
    sizes = {}
    embeddings = [m.num_embeddings for m in model.modules() if isinstance(m, nn.Embedding)]
    for raw, inp in zip(spec["inputs"], specs.inputs(spec)):
        if inp.is_tokens:
            v = raw.get("vocab_size") or (min(embeddings) if embeddings else None)
            if v:
                sizes[inp.name] = int(v)
    return sizes


class EarlyStopping:
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    The best weights are kept (on the CPU) and restored at the end of training.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 3, min_delta: float = 0.0,
                 mode: Optional[str] = None, restore_best_weights: bool = True):
        self.monitor = monitor or "val_loss"
        self.patience = int(patience if patience is not None else 3)
        self.min_delta = abs(float(min_delta or 0.0))
        self.mode = mode
        self.restore_best_weights = restore_best_weights
        self.best: Optional[float] = None
        self.best_epoch: Optional[int] = None
        self.best_weights: Optional[dict] = None
        self.wait = 0
        self.stopped_epoch: Optional[int] = None

    def _key(self, logs: Mapping[str, float]) -> str:
        for key in (self.monitor, f"val_{self.monitor}"):
            if key in logs:
                return key
        raise UserError(f"early_stopping monitors {self.monitor!r}, which this run does not "
                        f"compute; available: {', '.join(k for k in logs if k != 'epoch')}")

    def _higher_is_better(self, key: str) -> bool:
        if self.mode in ("min", "max"):
            return self.mode == "max"
        base = key[4:] if key.startswith("val_") else key
        return base.endswith("accuracy") or base in ("precision", "recall", "f1", "auc")

    def update(self, epoch: int, logs: Mapping[str, float], model: nn.Module) -> bool:
        """Record an epoch's logs; True when training should stop."""
        key = self._key(logs)
        value = logs[key]
        if value is None or not math.isfinite(value):
            improved = False
        elif self.best is None:
            improved = True
        elif self._higher_is_better(key):
            improved = value > self.best + self.min_delta
        else:
            improved = value < self.best - self.min_delta
        if improved:
            self.best, self.best_epoch, self.wait = float(value), epoch, 0
            if self.restore_best_weights:
                self.best_weights = {k: v.detach().to("cpu", copy=True)
                                     for k, v in model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def restore(self, model: nn.Module) -> bool:
        if self.restore_best_weights and self.best_weights is not None:
            model.load_state_dict(self.best_weights)
            return True
        return False

    def state_dict(self) -> dict:
        keys = ("monitor", "patience", "min_delta", "mode", "best", "best_epoch",
                "best_weights", "wait", "stopped_epoch")
        return {k: getattr(self, k) for k in keys}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, v)


@dataclass
class Result:
    """What a run produced (also in metrics.json)."""

    history: list
    test: dict
    best_epoch: Optional[int] = None
    stopped_early: bool = False
    steps: int = 0
    files: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)


def _group_weights(n: int, batch_size: int, accumulate: int) -> list:
    """Per-batch loss weights so an accumulated step averages over its samples.

    Accumulating k batches then equals one step on their concatenation, also
    when the last group of an epoch is shorter.
    """
    sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    weights = []
    for g in range(0, len(sizes), accumulate):
        group = sizes[g:g + accumulate]
        total = sum(group)
        weights.extend(s / total for s in group)
    return weights


class Trainer:
    """Trains ``model`` on ``data`` as ``spec`` and ``config`` say."""

    def __init__(self, model: nn.Module, spec: Mapping[str, Any], config: Config, data: Data,
                 progress: Optional[Progress] = None,
                 on_batch: Optional[Callable[[int, int, float], None]] = None):
        """``on_batch(epoch, batch, loss)`` is called after every training batch
        (1-based epoch and batch) with the batch's loss, e.g. to compare the
        first steps with a hand-written loop."""
        config.check()
        self.on_batch = on_batch
        self.spec, self.config, self.data = spec, config, data
        self.device, device_note = devices.choose(config.device, config.model_device)
        self.precision = devices.precision(self.device, config.precision,
                                           config.mixed_precision)
        self.notes = [n for n in (device_note, self.precision.note) if n]
        if not spec.get("loss"):
            self.notes.append(f"{spec.get('name')} has no loss; training with "
                              f"{specs.default_loss(spec)} (from its "
                              f"{specs.output_activation(spec)} output)")
        if not spec.get("optimizer"):
            self.notes.append(f"{spec.get('name')} has no optimizer; training with Adam "
                              "(Keras defaults)")
        self.model = model.to(self.device)
        self.loss = loss_fns.build(spec)
        self.setup = optim.build(self.model.parameters(), spec, config.lr)
        self.scaler = torch.cuda.amp.GradScaler() if self.precision.scale_loss else None
        self.eval_metrics = MetricSet(spec, self.loss)
        es = config.early_stopping
        self.early = EarlyStopping(es.get("monitor", "val_loss"), es.get("patience", 3),
                                   es.get("min_delta", 0.0), es.get("mode")) if es else None
        self.generator = torch.Generator().manual_seed(config.seed)
        self.progress = progress or Progress(config.epochs, quiet=config.quiet)
        self.history: list = []
        self.start_epoch = 0
        self.global_step = 0
        self.out = Path(config.out_dir) if config.out_dir is not None else None
        self.timings = {"train_seconds": 0.0, "train_samples": 0, "eval_seconds": 0.0}
        self._t_start = time.perf_counter()
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
            ckpt.remove_stale_temps(self.out)
        if config.resume:
            self._resume()

    # ------------------------------------------------------------ helpers

    def _autocast(self, training: bool = True):
        if self.precision.dtype is None:
            return contextlib.nullcontext()
        if not training and self.device.type == "cpu":
            # Evaluate in fp32 on the CPU: torch 1.13's fused inference paths
            # (nn.TransformerEncoderLayer in eval mode) fail under CPU autocast,
            # and fp32 metrics are the more accurate ones anyway.
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.precision.dtype)

    def _forward(self, xb: Mapping[str, torch.Tensor], training: bool = True) -> torch.Tensor:
        with self._autocast(training):
            out = call_model(self.model, self.spec, xb)
        return out.float()

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def _checkpoint_state(self, epoch: int, finished: bool) -> dict:
        return {
            "name": self.spec.get("name"), "source": self.spec.get("source"),
            "contract": self.spec.get("contract"),
            "epoch": epoch, "global_step": self.global_step, "finished": finished,
            "model": self.model.state_dict(),
            "optimizer": self.setup.optimizer.state_dict(),
            "scheduler": self.setup.scheduler.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler else None,
            "early_stopping": self.early.state_dict() if self.early else None,
            "history": self.history, "timings": dict(self.timings),
            "rng": ckpt.rng_state(self.generator),
            "data": self.data.describe(),
        }

    def _resume(self) -> None:
        if self.out is None:
            raise UsageError("--resume needs an output directory (--out)")
        state = ckpt.load(self.out / ckpt.CHECKPOINT)
        if state.get("name") != self.spec.get("name"):
            raise UserError(f"{self.out / ckpt.CHECKPOINT} belongs to model "
                            f"{state.get('name')!r}, not {self.spec.get('name')!r}")
        try:
            self.model.load_state_dict(state["model"])
        except RuntimeError as e:
            raise UserError(f"{self.out / ckpt.CHECKPOINT} does not fit this model "
                            f"(was it regenerated?): {str(e).splitlines()[0]}") from None
        self.setup.optimizer.load_state_dict(state["optimizer"])
        self.setup.scheduler.load_state_dict(state["scheduler"])
        if self.scaler and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        if self.early and state.get("early_stopping"):
            self.early.load_state_dict(state["early_stopping"])
        self.history = list(state.get("history") or [])
        self.timings.update(state.get("timings") or {})
        self.start_epoch = int(state["epoch"])
        self.global_step = int(state["global_step"])
        ckpt.restore_rng_state(state["rng"], self.generator)
        if state.get("data") and state["data"] != self.data.describe():
            self.progress.print(f"warning: resuming with different data "
                                f"({self.data.describe()} instead of {state['data']})")

    def _nan_error(self, value: float, epoch: int, step: int, steps: int,
                   xb: Mapping[str, torch.Tensor]) -> TrainingError:
        bad_input = any(v.is_floating_point() and not torch.isfinite(v).all()
                        for v in xb.values())
        what = "inf" if math.isinf(value) else "NaN"
        where = f"the loss became {what} at epoch {epoch}, step {step}/{steps}"
        if bad_input:
            return TrainingError(f"{where}: the input batch contains NaN or infinite "
                                 "values; clean the data")
        return TrainingError(
            f"{where} (learning rate {self.setup.lr:g}): training diverged; lower the "
            "learning rate (--lr or the optimizer's learning_rate), or set gradient_clip in "
            "train { }")

    # --------------------------------------------------------------- loop

    def _train_epoch(self, epoch: int, batches: Batches) -> dict:
        cfg, setup = self.config, self.setup
        model, opt = self.model, setup.optimizer
        model.train()
        accumulate = cfg.gradient_accumulation_steps
        weights = _group_weights(batches.num_samples, batches.batch_size, accumulate)
        steps = len(batches)
        shown = steps  # what the progress line counts to: --max-steps may end the epoch early
        if cfg.max_steps is not None:
            shown = min(steps, (cfg.max_steps - self.global_step) * accumulate)
        self.progress.start_epoch(epoch + 1, shown)
        loss_sum, seen = 0.0, 0
        stop = False
        opt.zero_grad(set_to_none=True)
        t0 = time.perf_counter()
        for i, (xb, yb) in enumerate(batches):
            out = self._forward(xb)
            loss = self.loss(out, yb)
            reg = self._regularization()
            if reg is not None:
                # Keras adds kernel/bias regularizer penalties to the
                # training loss (and reports the sum); so do we.
                loss = loss + reg
            value = float(loss)
            if not math.isfinite(value):
                raise self._nan_error(value, epoch + 1, i + 1, steps, xb)
            scaled = loss * weights[i]
            (self.scaler.scale(scaled) if self.scaler else scaled).backward()
            if self.on_batch is not None:
                self.on_batch(epoch + 1, i + 1, value)
            n = yb.shape[0]
            loss_sum += value * n
            seen += n
            if (i + 1) % accumulate == 0 or i + 1 == steps:
                self._optimizer_step()
                if cfg.max_steps is not None and self.global_step >= cfg.max_steps:
                    stop = True
            self.progress.step(i + 1, loss_sum / seen, seen)
            if stop:
                break
        seconds = time.perf_counter() - t0
        self.timings["train_seconds"] += seconds
        self.timings["train_samples"] += seen
        return {"loss": loss_sum / max(seen, 1), "seconds": seconds, "samples": seen,
                "steps": i + 1, "stop": stop}

    def _regularization(self):
        """The generated model's regularizer penalty, or None when it has none."""
        fn = getattr(self.model, "regularization_loss", None)
        if fn is None:
            return None
        reg = fn()
        if isinstance(reg, torch.Tensor):
            return reg
        return None if not reg else torch.as_tensor(float(reg))

    def _optimizer_step(self) -> None:
        setup, opt = self.setup, self.setup.optimizer
        if self.scaler:
            self.scaler.unscale_(opt)
        setup.clip_gradients()
        if self.config.gradient_clip:
            torch.nn.utils.clip_grad_norm_(setup.params, self.config.gradient_clip)
        setup.apply_weight_decay()
        if self.scaler:
            self.scaler.step(opt)
            self.scaler.update()
        else:
            opt.step()
        opt.zero_grad(set_to_none=True)
        setup.scheduler.step()
        self.global_step += 1

    @torch.no_grad()
    def evaluate(self, split_batches: Batches) -> dict:
        """Loss and metrics over a whole split, in eval mode."""
        t0 = time.perf_counter()
        self.model.eval()
        m = self.eval_metrics
        m.reset()
        for xb, yb in split_batches:
            m.update(self._forward(xb, training=False), yb)
        self.timings["eval_seconds"] += time.perf_counter() - t0
        return m.result()

    def _batches(self, split, shuffle: bool) -> Batches:
        return Batches(split, self.config.batch_size, shuffle=shuffle,
                       generator=self.generator if shuffle else None, device=self.device)

    def _write_metrics(self, status: str, test: Optional[dict] = None,
                       error: Optional[str] = None, extra: Optional[dict] = None) -> dict:
        cfg = self.config
        samples = self.timings["train_samples"]
        doc = {
            "model": self.spec.get("name"), "source": self.spec.get("source"),
            "contract": self.spec.get("contract"), "status": status,
            "parameters": self.num_parameters,
            "data": self.data.describe(),
            "config": {
                "epochs": cfg.epochs, "batch_size": cfg.batch_size, "seed": cfg.seed,
                "device": str(self.device), "precision": self.precision.name,
                "loss": self.loss.name, "optimizer": self.setup.name,
                "learning_rate": self._learning_rate_config(),
                "gradient_accumulation_steps": cfg.gradient_accumulation_steps,
                "gradient_clip": cfg.gradient_clip, "early_stopping": cfg.early_stopping,
                "max_steps": cfg.max_steps, "validation_split": cfg.validation_split,
            },
            "history": self.history,
            "test": test,
            "best_epoch": self.early.best_epoch if self.early else None,
            "stopped_early": bool(self.early and self.early.stopped_epoch is not None),
            "steps": self.global_step,
            "timings": {
                **self.timings,
                "train_samples_per_second": samples / self.timings["train_seconds"]
                if self.timings["train_seconds"] else None,
                "total_seconds": time.perf_counter() - self._t_start,
            },
            "environment": ckpt.environment(self.device),
        }
        if error:
            doc["error"] = error
        if extra:
            doc.update(extra)
        if self.out is not None:
            ckpt.atomic_write_json(self.out / ckpt.METRICS, doc)
        return doc

    def _learning_rate_config(self) -> Any:
        schedule = self.setup.schedule
        if schedule is None:
            return self.setup.args["learning_rate"]
        return {"schedule": schedule.name, **schedule.__dict__}

    def _header(self) -> str:
        d = self.data.describe()
        schedule = self.setup.schedule
        lr = (f"{schedule.name}({schedule.initial_learning_rate:g})" if schedule
              else f"{self.setup.lr:g}")
        device = str(self.device)
        if self.device.type == "cpu":
            threads = torch.get_num_threads()
            device += f" ({threads} thread{'s' if threads > 1 else ''})"
        return (f"{self.spec.get('name')}: {self.num_parameters:,} parameters; "
                f"{self.setup.name}(lr={lr}), {self.loss.name}; {device}, "
                f"{self.precision.name}; data {d['name']} ({d['source']}): {d['train']} train"
                f" / {d['validation']} validation / {d['test']} test")

    def fit(self) -> Result:
        """Train, evaluate on the test split, save and export."""
        cfg = self.config
        for note in self.notes:
            self.progress.print(f"note: {note}")
        self.progress.print(self._header())
        train_batches = self._batches(self.data.train, cfg.shuffle)
        val_batches = self._batches(self.data.val, False)
        stopped = False
        done = self.start_epoch  # completed epochs
        if self.start_epoch >= cfg.epochs:
            self.progress.print(f"the checkpoint already has {self.start_epoch} epoch(s); "
                                "evaluating it (pass a larger --epochs to train further)")
        try:
            for epoch in range(self.start_epoch, cfg.epochs):
                stats = self._train_epoch(epoch, train_batches)
                val = self.evaluate(val_batches)
                done = epoch + 1
                logs = {"epoch": done, "loss": stats["loss"],
                        **{f"val_{k}": v for k, v in val.items()},
                        "lr": self.setup.lr, "steps": stats["steps"],
                        "seconds": stats["seconds"],
                        "samples_per_second": stats["samples"] / max(stats["seconds"], 1e-9)}
                self.history.append(logs)
                if self.early and self.early.update(done, logs, self.model):
                    stopped = True
                self.progress.end_epoch({k: v for k, v in logs.items()
                                         if k == "loss" or k.startswith("val_")},
                                        stats["seconds"], logs["samples_per_second"])
                last = stopped or stats["stop"] or done == cfg.epochs
                if self.out is not None and not last:
                    ckpt.save(self.out / ckpt.CHECKPOINT, self._checkpoint_state(done, False))
                    self._write_metrics("running")
                if stopped:
                    self.progress.print(f"early stopping: {self.early.monitor} has not improved "
                                        f"for {self.early.patience} epoch(s); best epoch "
                                        f"{self.early.best_epoch}")
                if stats["stop"] or stopped:
                    break
        except TrainingError as e:
            self._write_metrics("failed", error=str(e))
            raise
        except KeyboardInterrupt:
            self._write_metrics("interrupted", error="interrupted by the user")
            raise
        restored = self.early.restore(self.model) if self.early else False
        if restored:
            self.progress.print(f"restored the weights of epoch {self.early.best_epoch} "
                                f"(best {self.early.monitor} {self.early.best:.4f})")
        test = self.evaluate(self._batches(self.data.test, False))
        self.progress.print(f"test: {format_metrics(test)}")
        files = {}
        if self.out is not None:
            ckpt.save(self.out / ckpt.CHECKPOINT, self._checkpoint_state(done, True))
            files["checkpoint"] = str(self.out / ckpt.CHECKPOINT)
            self._write_metrics("completed", test)
            if cfg.export:
                from . import export

                path = self.out / "model.onnx"
                try:
                    export.export_onnx(self.model, self.spec, path)
                except Exception as e:
                    self._write_metrics("completed", test, extra={
                        "export": {"error": f"{type(e).__name__}: {e}"}})
                    raise
                files["onnx"] = str(path)
            files["metrics"] = str(self.out / ckpt.METRICS)
            doc = self._write_metrics("completed", test, extra={"files": files})
            self.progress.print("wrote " + ", ".join(files.values()))
        else:
            doc = self._write_metrics("completed", test)
        return Result(self.history, test, self.early.best_epoch if self.early else None,
                      bool(self.early and self.early.stopped_epoch is not None),
                      self.global_step, files, doc)


def report_keys(spec: Mapping[str, Any]) -> list:
    """Metric keys a run reports (without the ``val_``/``test`` prefixes)."""
    return ["loss"] + [metric_key(n, a) for n, a in specs.metrics(spec) if n != "loss"]
