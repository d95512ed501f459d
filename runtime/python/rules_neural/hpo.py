"""Hyper-parameter search with Optuna (LANGUAGE.md §8).

The SPEC's ``hpo`` list is the search space: ``choice`` →
``suggest_categorical``, ``range`` → ``suggest_int`` (integer bounds and
step) or ``suggest_float`` (with its step, if any), ``log_range`` →
``suggest_float(log=True)``. Bounds are inclusive (Optuna's convention; ``hi``
is reached when it is ``lo`` plus a whole number of steps).

Search methods: ``random`` (RandomSampler), ``bayesian`` (TPE) and ``grid``
(GridSampler over every choice; a range with a step gives its values, one
without a step and a log_range give :data:`GRID_POINTS` evenly (or
logarithmically) spaced values). Samplers are seeded with the run's seed.

Each trial builds a model with ``model_factory(hp)`` (``hp``: name → value),
trains it with the runtime's trainer on data loaded once, and scores it by
the best validation value of the monitored metric (``val_loss`` unless
early stopping names another). A combination that cannot be built or run
(a shape mismatch) is pruned, as is a trial whose loss diverges. The best
values are written atomically to ``best.json`` as ``{name: value}``, the
file ``neuralgen compile --hpo-values`` reads, with a summary of every trial
in ``search.json``. With ``storage`` (an Optuna storage URL such as
``sqlite:///study.db``) several machines can share one study; together they
run ``trials`` trials.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

from . import checkpoint as ckpt
from .errors import TrainingError, UsageError, UserError

METHODS = ("random", "grid", "bayesian")
GRID_POINTS = 5
_PRIMITIVE = (type(None), bool, int, float, str)


def _is_int(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values if v is not None)


class Parameter:
    """One searched value of the SPEC's ``hpo`` list."""

    def __init__(self, raw: Mapping[str, Any]):
        self.name = str(raw["name"])
        self.kind = str(raw["kind"])
        if self.kind not in ("choice", "range", "log_range"):
            raise ValueError(f"HPO parameter {self.name!r}: unknown kind {self.kind!r}")
        self.choices = list(raw.get("choices") or [])
        self.lo, self.hi, self.step = raw.get("lo"), raw.get("hi"), raw.get("step")
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"HPO parameter {self.name!r}: choice() without values")
        # Optuna's categorical values must be primitives: encode others as JSON.
        self.encoded = not all(isinstance(c, _PRIMITIVE) for c in self.choices)

    def _encode(self, value: Any) -> Any:
        return json.dumps(value) if self.encoded else value

    def decode(self, value: Any) -> Any:
        if self.encoded:
            for c in self.choices:
                if json.dumps(c) == value:
                    return c
        if self.kind == "range" and self.step is not None and isinstance(value, float):
            # lo + k·step in binary floating point: 0.2 + 0.1 is
            # 0.30000000000000004; report and pin the decimal value meant.
            return float(f"{value:.12g}")
        return value

    def grid(self) -> list:
        if self.kind == "choice":
            return [self._encode(c) for c in self.choices]
        if self.kind == "log_range":
            values = np.geomspace(self.lo, self.hi, GRID_POINTS)
        elif self.step is not None:
            count = int(math.floor((self.hi - self.lo) / self.step + 1e-9)) + 1
            values = [self.lo + i * self.step for i in range(count)]
        else:
            values = np.linspace(self.lo, self.hi, GRID_POINTS)
        if self.kind == "range" and _is_int(self.lo, self.hi, self.step):
            return sorted({int(round(v)) for v in values})
        return [float(f"{float(v):.12g}") for v in values]

    def suggest(self, trial: Any, grid: bool = False) -> Any:
        if grid:
            return self.decode(trial.suggest_categorical(self.name, self.grid()))
        if self.kind == "choice":
            return self.decode(trial.suggest_categorical(
                self.name, [self._encode(c) for c in self.choices]))
        if self.kind == "log_range":
            return trial.suggest_float(self.name, float(self.lo), float(self.hi), log=True)
        if _is_int(self.lo, self.hi, self.step):
            return trial.suggest_int(self.name, self.lo, self.hi, step=self.step or 1)
        return self.decode(trial.suggest_float(
            self.name, float(self.lo), float(self.hi),
            step=None if self.step is None else float(self.step)))


def space(spec: Mapping[str, Any]) -> list:
    return [Parameter(raw) for raw in spec.get("hpo") or []]


def sampler(method: str, params: Sequence[Parameter], seed: int):
    import optuna

    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "bayesian":
        return optuna.samplers.TPESampler(seed=seed)
    if method == "grid":
        return optuna.samplers.GridSampler({p.name: p.grid() for p in params}, seed=seed)
    raise UsageError(f"unknown search method {method!r}; expected one of {', '.join(METHODS)}")


def grid_size(params: Sequence[Parameter]) -> int:
    return math.prod(len(p.grid()) for p in params)


def _lower_is_better(monitor: str) -> bool:
    base = monitor[4:] if monitor.startswith("val_") else monitor
    return not (base.endswith("accuracy") or base in ("precision", "recall", "f1", "auc"))


def search(model_factory: Callable[[dict], Any], spec: Mapping[str, Any],
           trials: Optional[int] = None, method: Optional[str] = None,
           storage: Optional[str] = None, *, data: Any = None, config: Any = None,
           spec_factory: Optional[Callable[[dict], Mapping[str, Any]]] = None,
           out_dir: Optional[Path] = None, study_name: Optional[str] = None,
           monitor: Optional[str] = None, quiet: bool = True) -> dict:
    """Run the search; return the best values ``{name: value}``.

    ``data`` is a prepared :class:`rules_neural.data.Data` (synthetic from
    the SPEC when omitted); ``config`` a :class:`rules_neural.train.Config`
    for every trial (from the SPEC when omitted); ``spec_factory(hp)``
    returns the SPEC of a trial when searched values change the training
    settings (the optimizer's learning rate, a batch size…).
    """
    import optuna

    from . import train
    from . import data as datasets
    from .progress import Progress

    params = space(spec)
    if not params:
        raise UserError(f"{spec.get('name')} has no HPO(...) values to search")
    settings = dict(spec.get("train") or {})
    method = (method or settings.get("search_method") or "bayesian").lower()
    if method not in METHODS:
        raise UsageError(f"unknown search method {method!r}; expected one of {', '.join(METHODS)}")
    trials = int(trials or settings.get("trials") or 10)
    if trials < 1:
        raise UsageError(f"trials must be at least 1, got {trials}")
    if method == "grid":
        trials = min(trials, grid_size(params))
    base = config or train.Config.from_spec(spec)
    base = copy.copy(base)
    base.out_dir, base.export, base.resume, base.quiet = None, False, False, True
    if data is None:
        data = datasets.load(spec, "synthetic", seed=base.seed,
                             validation_split=base.validation_split)
    es = base.early_stopping or {}
    monitor = monitor or es.get("monitor") or "val_loss"
    if not monitor.startswith("val_"):
        monitor = f"val_{monitor}"
    lower = _lower_is_better(monitor)

    if quiet:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        storage=storage, study_name=study_name or (spec.get("name") if storage else None),
        load_if_exists=storage is not None, sampler=sampler(method, params, base.seed),
        direction="minimize" if lower else "maximize")

    def objective(trial: Any) -> float:
        hp = {p.name: p.suggest(trial, grid=method == "grid") for p in params}
        trial_spec = spec_factory(hp) if spec_factory else spec
        try:
            model = train.build_model(lambda: model_factory(hp), base.seed)
            _smoke_test(model, trial_spec, data)
        except (ValueError, RuntimeError, TypeError, IndexError) as e:
            trial.set_user_attr("note", f"invalid combination: {e}")
            raise optuna.TrialPruned(f"invalid combination {hp}: {e}") from None
        try:
            result = train.Trainer(model, trial_spec, copy.copy(base), data,
                                   Progress(base.epochs, quiet=True)).fit()
        except TrainingError as e:
            trial.set_user_attr("note", str(e))
            raise optuna.TrialPruned(str(e)) from None
        values = [h.get(monitor) for h in result.history if h.get(monitor) is not None]
        if not values:
            raise UserError(f"the search monitors {monitor!r}, which training does not "
                            f"report; available: {', '.join(result.history[-1])}")
        values = [v for v in values if math.isfinite(v)]
        if not values:
            raise optuna.TrialPruned(f"{monitor} is not finite")
        return min(values) if lower else max(values)

    from optuna.study import MaxTrialsCallback
    from optuna.trial import TrialState

    finished = (TrialState.COMPLETE, TrialState.PRUNED)
    callbacks = []
    remaining = trials
    if storage is not None:
        # A shared study runs `trials` trials in all, whoever runs them.
        remaining = trials - len(study.get_trials(deepcopy=False, states=finished))
        callbacks.append(MaxTrialsCallback(trials, states=finished))
    if remaining > 0:
        study.optimize(objective, n_trials=remaining, callbacks=callbacks, catch=())

    done = [t for t in study.trials if t.state == TrialState.COMPLETE]
    if not done:
        raise UserError(f"none of the {len(study.trials)} trial(s) gave a valid model "
                        "(all pruned); widen the search space")
    best = {p.name: p.decode(study.best_trial.params[p.name]) for p in params}
    if out_dir is not None:
        out = Path(out_dir)
        ckpt.atomic_write_json(out / "best.json", best)
        ckpt.atomic_write_json(out / "search.json", {
            "model": spec.get("name"), "method": method, "monitor": monitor,
            "direction": "minimize" if lower else "maximize",
            "best": {"number": study.best_trial.number, "value": study.best_value,
                     "params": best},
            "trials": [{"number": t.number, "state": t.state.name, "value": t.value,
                        "params": {p.name: p.decode(t.params[p.name]) for p in params
                                   if p.name in t.params},
                        "note": t.user_attrs.get("note")} for t in study.trials],
        })
    return best


def _smoke_test(model: Any, spec: Mapping[str, Any], data: Any) -> None:
    """One forward pass on two training samples: shape errors show up here."""
    import torch

    from . import losses, train

    batch = {k: torch.from_numpy(np.ascontiguousarray(v[:2])) for k, v in data.train.x.items()}
    target = torch.from_numpy(np.ascontiguousarray(data.train.y[:2]))
    model.eval()
    with torch.no_grad():
        out = train.call_model(model, spec, batch)
        losses.build(spec)(out.float(), target)
    model.train()


def build_parser(spec: Mapping[str, Any], prog: Optional[str] = None) -> argparse.ArgumentParser:
    from .cli import _Parser, add_training_flags

    settings = dict(spec.get("train") or {})
    parser = _Parser(prog=prog, description=f"Search the hyper-parameters of "
                                            f"{spec.get('name', 'the model')} with Optuna.",
                     epilog="Writes best.json ({name: value}, for neuralgen compile "
                            "--hpo-values) and search.json into --out.")
    g = parser.add_argument_group("search")
    g.add_argument("--trials", type=int, metavar="N",
                   help="number of trials (default from the model: "
                        f"{settings.get('trials') or 10})")
    g.add_argument("--search-method", choices=METHODS,
                   help="random, grid or bayesian (TPE) (default from the model: "
                        f"{settings.get('search_method') or 'bayesian'})")
    g.add_argument("--storage", metavar="URL",
                   help="Optuna storage (e.g. sqlite:///study.db) to share one study "
                        "between machines")
    g.add_argument("--study-name", metavar="NAME", help="study name in --storage")
    g.add_argument("--out", metavar="DIR", default="out", help="output directory (default ./out)")
    add_training_flags(parser, spec)
    return parser


def main(model_factory: Callable[[dict], Any], spec: Mapping[str, Any],
         argv: Optional[Sequence[str]] = None,
         spec_factory: Optional[Callable[[dict], Mapping[str, Any]]] = None) -> int:
    """Entry point of generated search drivers."""
    from . import cli, devices, train

    args, code = cli.parse(build_parser(spec), argv)
    if args is None:
        return code

    def run() -> int:
        config = cli.config_from_args(spec, args)
        config.check()
        device, _ = devices.choose(config.device, config.model_device)
        train.configure_threads(device, config.threads)
        probe = train.build_model(lambda: model_factory(
            {p.name: p.decode(p.grid()[0]) if p.kind == "choice" else p.lo
             for p in space(spec)}), config.seed)
        data = cli.load_data(spec, args, config, probe)
        best = search(model_factory, spec, args.trials, args.search_method, args.storage,
                      data=data, config=config, spec_factory=spec_factory,
                      out_dir=Path(args.out), study_name=args.study_name, quiet=args.quiet)
        if not args.quiet:
            print(f"best: {json.dumps(best)}; wrote {Path(args.out) / 'best.json'}")
        return 0

    return cli.guarded(run)


def _trial_module(out: Path) -> Path:
    """The model module neuralgen compiled into ``out``.

    Beside it there may be its search driver, ``<module>_search.py`` (the
    trial's values do not pin every hyper-parameter). A module may itself
    end in ``_search`` (network ``MNISTSearch`` → ``mnist_search.py``), so a
    driver is recognised by its module being there too, not by its suffix.
    """
    files = sorted(out.glob("*.py"))
    names = {p.name for p in files}
    suffix = "_search.py"
    modules = [p for p in files
               if not (p.name.endswith(suffix) and p.name[:-len(suffix)] + ".py" in names)]
    if len(modules) != 1:
        found = [p.name for p in modules]
        raise UserError(f"expected one compiled module in {out}, found {found}")
    return modules[0]


class CompiledFactory:
    """Builds each trial's model by compiling the .neural source with its values.

    ``neuralgen compile --backend pytorch --hpo-values`` re-runs shape
    inference with the trial's values pinned, so a searched width or kernel
    size gives exactly the model the compiler checked. A combination the
    compiler rejects raises :class:`UserError`, which prunes the trial.
    Modules are cached per combination and compiled into a temporary
    directory that is removed when the process ends.
    """

    def __init__(self, source: str, network: str, neuralgen: Optional[str] = None):
        import shutil
        import tempfile

        self.neuralgen = neuralgen or os.environ.get("NEURALGEN") or shutil.which("neuralgen")
        if not self.neuralgen:
            raise UsageError("the search driver compiles each trial with neuralgen: put it on "
                             "PATH, set NEURALGEN, or pass --neuralgen")
        if not Path(source).is_file():
            raise UsageError(f"cannot find the model source {source!r}; pass --source PATH")
        self.source, self.network = source, network
        self._dir = tempfile.TemporaryDirectory(prefix="neural-hpo-")
        self._modules: dict = {}

    def module(self, hp: Mapping[str, Any]) -> Any:
        import importlib.util
        import subprocess

        key = json.dumps(dict(hp), sort_keys=True)
        if key in self._modules:
            return self._modules[key]
        index = len(self._modules)
        out = Path(self._dir.name) / f"trial{index}"
        out.mkdir()
        values = out / "hpo_values.json"
        values.write_text(key)
        proc = subprocess.run([self.neuralgen, "compile", "--backend", "pytorch", "--network",
                               self.network, "--hpo-values", str(values), "-o", str(out),
                               self.source], capture_output=True, text=True)
        if proc.returncode != 0:
            raise UserError(f"neuralgen rejected {key}: {proc.stderr.strip()}")
        path = _trial_module(out)
        spec = importlib.util.spec_from_file_location(f"_neural_trial_{index}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        self._modules[key] = mod
        return mod

    def model(self, hp: Mapping[str, Any]) -> Any:
        import torch

        mod = self.module(hp)
        classes = [v for v in vars(mod).values() if isinstance(v, type)
                   and issubclass(v, torch.nn.Module) and v.__module__ == mod.__name__]
        if len(classes) != 1:
            raise UserError("expected one model class in the compiled trial, "
                            f"found {len(classes)}")
        return classes[0]()

    def spec(self, hp: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.module(hp).SPEC


def main_compiled(spec: Mapping[str, Any], network: str,
                  argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of generated ``*_search.py`` drivers: trials compile the model."""
    import sys

    from . import cli

    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--source", default=spec.get("source"))
    pre.add_argument("--neuralgen", default=None)
    known, rest = pre.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    if "-h" in rest or "--help" in rest:
        print("search driver options: --source PATH (the .neural file; default "
              f"{spec.get('source')!r}), --neuralgen PATH (default $NEURALGEN or PATH)\n")
        return main(lambda hp: None, spec, rest)
    try:
        factory = CompiledFactory(known.source, network, known.neuralgen)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return main(factory.model, spec, rest, spec_factory=factory.spec)
