"""Optimizers and learning-rate schedules of LANGUAGE.md §7 on torch.optim.

Arguments use Keras names and defaults (``epsilon=1e-7``, ``beta_1``,
``rho``…) and map onto torch's (``eps``, ``betas``, ``alpha``…), so a model
trains the same way its .neural file reads. Notable mappings:

* ``weight_decay`` on Adam, AdamW, Adamax and Nadam is *decoupled*
  (``p -= lr·wd·p`` before the update, as in Keras 3 and torch's AdamW);
  Adam with weight decay therefore runs as ``torch.optim.AdamW``. On SGD it
  is torch's (L2) ``weight_decay``, which is the same thing without momentum.
* ``RMSprop(rho)`` is torch's ``alpha``; ``Adagrad``'s Keras default
  ``initial_accumulator_value=0.1`` and ``Adadelta``'s ``learning_rate=0.001``
  are kept (torch's defaults differ).
* ``clipnorm`` clips each parameter's gradient to that norm, ``clipvalue``
  each element (Keras); the ``train`` key ``gradient_clip`` clips the global
  norm (see train.py).

Schedules are functions of the optimizer step (Keras ``iterations``, starting
at 0) and are stepped once per optimizer step, after gradient accumulation.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Optional

import torch

from .errors import UserError

KERAS_DEFAULTS: dict[str, dict[str, Any]] = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
             "amsgrad": False, "weight_decay": 0.0},
    "AdamW": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
              "amsgrad": False, "weight_decay": 0.01},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                "centered": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7},
    "Adamax": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
               "weight_decay": 0.0},
    "Nadam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
              "weight_decay": 0.0},
}
OPTIMIZERS = tuple(KERAS_DEFAULTS)
_CLIP_ARGS = ("clipnorm", "clipvalue", "global_clipnorm")
_ALIASES = {"lr": "learning_rate"}


def canonical_optimizer(name: str) -> str:
    for known in OPTIMIZERS:
        if known.lower() == str(name).strip().lower():
            return known
    raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}")


# -------------------------------------------------------------- schedules


class Schedule:
    """A learning rate as a function of the optimizer step.

    ``factor(step)`` is the multiplier of ``initial_learning_rate``; the
    instances are plain-data objects so ``LambdaLR.state_dict`` can save them.
    """

    name = ""

    def __init__(self, initial_learning_rate: float):
        self.initial_learning_rate = float(initial_learning_rate)

    def lr(self, step: int) -> float:
        raise NotImplementedError

    def __call__(self, step: int) -> float:
        if self.initial_learning_rate == 0:
            return 0.0
        return self.lr(step) / self.initial_learning_rate


class ExponentialDecay(Schedule):
    name = "ExponentialDecay"

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float,
                 staircase: bool = False):
        super().__init__(initial_learning_rate)
        self.decay_steps, self.decay_rate = int(decay_steps), float(decay_rate)
        self.staircase = bool(staircase)

    def lr(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p


class StepDecay(Schedule):
    name = "StepDecay"

    def __init__(self, initial_learning_rate: float, step_size: int, gamma: float = 0.1):
        super().__init__(initial_learning_rate)
        self.step_size, self.gamma = int(step_size), float(gamma)

    def lr(self, step: int) -> float:
        return self.initial_learning_rate * self.gamma ** (step // self.step_size)


class CosineDecay(Schedule):
    """Linear warm-up from 0 over ``warmup_steps``, then cosine decay to
    ``alpha · initial`` over ``decay_steps`` (Keras' CosineDecay with
    ``warmup_target = initial_learning_rate``)."""

    name = "CosineDecay"

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 warmup_steps: int = 0):
        super().__init__(initial_learning_rate)
        self.decay_steps, self.alpha = int(decay_steps), float(alpha)
        self.warmup_steps = int(warmup_steps)

    def lr(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.initial_learning_rate * step / self.warmup_steps
        t = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * t))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)


class PolynomialDecay(Schedule):
    name = "PolynomialDecay"

    def __init__(self, initial_learning_rate: float, decay_steps: int,
                 end_learning_rate: float = 0.0001, power: float = 1.0):
        super().__init__(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.end_learning_rate, self.power = float(end_learning_rate), float(power)

    def lr(self, step: int) -> float:
        t = min(step, self.decay_steps) / self.decay_steps
        return ((self.initial_learning_rate - self.end_learning_rate) * (1.0 - t) ** self.power
                + self.end_learning_rate)


SCHEDULES = {c.name: c for c in (ExponentialDecay, StepDecay, CosineDecay, PolynomialDecay)}
_SCHEDULE_ALIASES = {"initial_lr": "initial_learning_rate", "decay_steps@StepDecay": "step_size",
                     "decay_rate@StepDecay": "gamma"}


def build_schedule(raw: Mapping[str, Any], lr_override: Optional[float] = None) -> Schedule:
    """A schedule from SPEC ``{"schedule": name, "args": {...}}``."""
    name = str(raw["schedule"])
    cls = next((c for n, c in SCHEDULES.items() if n.lower() == name.lower()), None)
    if cls is None:
        raise ValueError(f"unknown learning-rate schedule {name!r}; expected one of "
                         f"{', '.join(SCHEDULES)}")
    args = {}
    for key, value in dict(raw.get("args") or {}).items():
        if value is None:  # unset: the schedule's default
            continue
        key = _SCHEDULE_ALIASES.get(f"{key}@{cls.name}", _SCHEDULE_ALIASES.get(key, key))
        args[key] = value
    if lr_override is not None:
        args["initial_learning_rate"] = lr_override
    try:
        return cls(**args)
    except TypeError as e:
        raise ValueError(f"{cls.name}: {e}") from None


# ------------------------------------------------------------- optimizers


@dataclass
class OptimizerSetup:
    """An optimizer, its per-step schedule and Keras' clipping/decay options."""

    name: str
    args: dict
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    schedule: Optional[Schedule] = None
    clipnorm: Optional[float] = None
    clipvalue: Optional[float] = None
    global_clipnorm: Optional[float] = None
    decoupled_weight_decay: float = 0.0
    params: list = field(default_factory=list)

    @property
    def lr(self) -> float:
        return float(self.optimizer.param_groups[0]["lr"])

    def clip_gradients(self) -> None:
        """Keras' per-optimizer clipping, on (unscaled) gradients."""
        if self.clipvalue is not None:
            torch.nn.utils.clip_grad_value_(self.params, self.clipvalue)
        if self.clipnorm is not None:
            for p in self.params:
                if p.grad is not None:
                    torch.nn.utils.clip_grad_norm_([p], self.clipnorm)
        if self.global_clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(self.params, self.global_clipnorm)

    def apply_weight_decay(self) -> None:
        """Decoupled weight decay for optimizers torch has no such form of."""
        if not self.decoupled_weight_decay:
            return
        with torch.no_grad():
            for group in self.optimizer.param_groups:
                factor = 1.0 - group["lr"] * self.decoupled_weight_decay
                for p in group["params"]:
                    if p.grad is not None:
                        p.mul_(factor)


def _args(name: str, raw: Mapping[str, Any]) -> dict:
    args = dict(KERAS_DEFAULTS[name])
    for key, value in raw.items():
        key = _ALIASES.get(key, key)
        if key not in args and key not in _CLIP_ARGS:
            raise ValueError(f"{name} has no argument {key!r}; expected "
                             f"{', '.join(list(KERAS_DEFAULTS[name]) + list(_CLIP_ARGS))}")
        if value is not None:
            args[key] = value
    return args


def build(params: Iterable[torch.nn.Parameter], spec: Mapping[str, Any],
          lr_override: Optional[float] = None) -> OptimizerSetup:
    """The SPEC's optimizer (Adam with Keras defaults when none is given)."""
    raw = spec.get("optimizer") or {"name": "Adam", "args": {}}
    if isinstance(raw, str):
        raw = {"name": raw, "args": {}}
    name = canonical_optimizer(raw["name"])
    args = _args(name, dict(raw.get("args") or {}))
    params = [p for p in params if p.requires_grad]

    lr_value = args["learning_rate"]
    schedule = None
    if isinstance(lr_value, Mapping):
        schedule = build_schedule(lr_value, lr_override)
        lr = schedule.initial_learning_rate
    else:
        lr = float(lr_override if lr_override is not None else lr_value)
        args["learning_rate"] = lr
    if lr_override is not None and lr_override <= 0:
        raise UserError(f"the learning rate must be positive, got {lr_override}")

    betas = (float(args.get("beta_1", 0.9)), float(args.get("beta_2", 0.999)))
    eps = float(args.get("epsilon", 1e-7))
    wd = float(args.get("weight_decay") or 0.0)
    decoupled = 0.0
    if name == "SGD":
        if args["nesterov"] and not args["momentum"]:
            raise UserError("SGD(nesterov=true) needs a momentum > 0")
        opt = torch.optim.SGD(params, lr=lr, momentum=float(args["momentum"]),
                              nesterov=bool(args["nesterov"]), weight_decay=wd)
    elif name in ("Adam", "AdamW"):
        cls = torch.optim.AdamW if (name == "AdamW" or wd) else torch.optim.Adam
        kw = {"weight_decay": wd} if cls is torch.optim.AdamW else {}
        opt = cls(params, lr=lr, betas=betas, eps=eps, amsgrad=bool(args["amsgrad"]), **kw)
    elif name == "RMSprop":
        opt = torch.optim.RMSprop(params, lr=lr, alpha=float(args["rho"]), eps=eps,
                                  momentum=float(args["momentum"]),
                                  centered=bool(args["centered"]))
    elif name == "Adagrad":
        initial = float(args["initial_accumulator_value"])
        opt = torch.optim.Adagrad(params, lr=lr, eps=eps, initial_accumulator_value=initial)
    elif name == "Adadelta":
        opt = torch.optim.Adadelta(params, lr=lr, rho=float(args["rho"]), eps=eps)
    elif name == "Adamax":
        opt = torch.optim.Adamax(params, lr=lr, betas=betas, eps=eps)
        decoupled = wd
    elif name == "Nadam":
        opt = torch.optim.NAdam(params, lr=lr, betas=betas, eps=eps)
        decoupled = wd
    else:  # pragma: no cover - KERAS_DEFAULTS and this chain list the same names
        raise AssertionError(name)

    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, schedule if schedule else _constant)

    def positive(key: str) -> Optional[float]:
        v = args.get(key)
        return float(v) if v else None

    return OptimizerSetup(name, args, opt, scheduler, schedule, positive("clipnorm"),
                          positive("clipvalue"), positive("global_clipnorm"), decoupled, params)


def _constant(step: int) -> float:
    return 1.0
