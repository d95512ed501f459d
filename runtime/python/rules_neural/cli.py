"""The training command line of generated modules (``python3 model.py --help``).

``main(model_cls, spec, argv)`` parses the flags, loads the data, trains,
evaluates on the test split and writes ``checkpoint.pt``, ``metrics.json``
and ``model.onnx`` into ``--out``. Defaults come from the SPEC's ``train``
section. User mistakes (bad flags, a missing data directory, images of the
wrong size, a diverging loss, an unavailable device) print ``error: …`` on
stderr and return 2 (command line) or 1 (data, training) without a
traceback; bugs raise.

Without ``--dataset``: with ``--data-dir`` the data set is ``npz`` for a
.npz file (or a directory holding one) and ``idx`` otherwise; without it,
``fashion_mnist`` for a 28×28×1 image classifier with 10 classes when
Debian's dataset-fashion-mnist is installed, ``synthetic`` for every other
model.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence

from .errors import UsageError, UserError


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see --help)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def add_training_flags(parser: argparse.ArgumentParser, spec: Mapping[str, Any]) -> None:
    """The flags shared by training and hyper-parameter search."""
    from . import data
    from . import spec as specs

    s = specs.train_settings(spec)
    g = parser.add_argument_group("data")
    g.add_argument("--data-dir", metavar="DIR",
                   help="directory with the data set (IDX files, or a .npz file or its "
                        f"directory); fashion_mnist defaults to {data.FASHION_MNIST_DIR}")
    g.add_argument("--dataset", choices=data.DATASETS,
                   help="data set format (default: npz or idx from --data-dir; else "
                        "fashion_mnist for 28×28×1 10-class image classifiers when "
                        "installed, synthetic otherwise)")
    g.add_argument("--synthetic-size", type=_positive_int, default=data.DEFAULT_SYNTHETIC_SIZE,
                   metavar="N", help="training samples of the synthetic data set "
                                     "(default %(default)s; plus N/4 test samples)")
    g = parser.add_argument_group("training")
    g.add_argument("--epochs", type=_positive_int, metavar="N",
                   help=f"epochs (default from the model: {s.epochs})")
    g.add_argument("--batch-size", type=_positive_int, metavar="N",
                   help=f"batch size (default from the model: {s.batch_size})")
    g.add_argument("--lr", type=_positive_float, metavar="RATE",
                   help="learning rate; for a schedule, its initial learning rate "
                        "(default from the model's optimizer)")
    g.add_argument("--seed", type=int, metavar="N",
                   help=f"random seed (default from the model: {s.seed})")
    g.add_argument("--max-steps", type=_positive_int, metavar="N",
                   help="stop after N optimizer steps (tests, benchmarks)")
    g = parser.add_argument_group("execution")
    g.add_argument("--device", metavar="DEV",
                   help="cpu, cuda, cuda:N, mps or auto "
                        f"(default from the model: {s.device or 'auto'})")
    g.add_argument("--precision", choices=("fp32", "bf16", "fp16"),
                   help="numeric precision (default from the model: "
                        f"{s.precision or ('mixed' if s.mixed_precision else 'fp32')})")
    g.add_argument("--threads", type=_positive_int, metavar="N",
                   help="CPU threads for torch (default 1 on CPU, for stable timings)")
    g.add_argument("--quiet", action="store_true",
                   help="print nothing but errors (progress is also off when stdout "
                        "is not a terminal: one line per epoch)")


def build_parser(spec: Mapping[str, Any], prog: Optional[str] = None) -> argparse.ArgumentParser:
    name = spec.get("name", "model")
    source = spec.get("source")
    parser = _Parser(
        prog=prog,
        description=f"Train {name}" + (f" (generated from {source})" if source else "") +
                    ", evaluate it on the test split and export it to ONNX.",
        epilog="Writes checkpoint.pt, metrics.json and model.onnx (ONNX opset 17) into --out.")
    add_training_flags(parser, spec)
    g = parser.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", default="out",
                   help="output directory (default: ./out)")
    g.add_argument("--resume", action="store_true",
                   help="continue from DIR/checkpoint.pt up to --epochs epochs")
    g.add_argument("--no-export", action="store_true", help="do not write model.onnx")
    return parser


def config_from_args(spec: Mapping[str, Any], args: argparse.Namespace, **extra: Any):
    from . import train

    return train.Config.from_spec(
        spec, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, device=args.device,
        seed=args.seed, quiet=args.quiet, max_steps=args.max_steps, precision=args.precision,
        threads=args.threads, **extra)


def load_data(spec: Mapping[str, Any], args: argparse.Namespace, config, model):
    from . import data, train

    dataset = args.dataset or data.default_dataset(spec, args.data_dir)
    return data.load(spec, dataset, args.data_dir, seed=config.seed,
                     validation_split=config.validation_split,
                     synthetic_size=args.synthetic_size,
                     vocab_sizes=train.vocab_sizes(model, spec))


def run(model_cls: Callable[[], Any], spec: Mapping[str, Any], args: argparse.Namespace) -> int:
    from . import devices, train
    from .progress import Progress

    config = config_from_args(spec, args, out_dir=Path(args.out), resume=args.resume or None,
                              export=not args.no_export)
    config.check()
    device, _ = devices.choose(config.device, config.model_device)  # fail before any work
    devices.precision(device, config.precision, config.mixed_precision)
    train.configure_threads(device, config.threads)
    model = train.build_model(model_cls, config.seed)
    data = load_data(spec, args, config, model)
    progress = Progress(config.epochs, quiet=config.quiet)
    train.Trainer(model, spec, config, data, progress).fit()
    return 0


def guarded(fn: Callable[[], int]) -> int:
    """Run ``fn``; user errors become ``error: …`` on stderr and an exit code."""
    try:
        return fn()
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def parse(parser: argparse.ArgumentParser, argv: Optional[Sequence[str]]):
    """(args, None) or (None, exit code) for --help and usage errors.

    Relative --out and --data-dir are resolved against the directory
    ``bazel run`` was started from (see :func:`resolve_paths`).
    """
    try:
        args = parser.parse_args(argv)
        resolve_paths(args, os.environ.get("BUILD_WORKING_DIRECTORY"))
        return args, None
    except SystemExit as e:  # --help
        return None, int(e.code or 0)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return None, e.exit_code


def main(model_cls: Callable[[], Any], spec: Mapping[str, Any],
         argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of generated modules: train ``model_cls`` as ``spec`` says."""
    args, code = parse(build_parser(spec), argv)
    if args is None:
        return code
    return guarded(lambda: run(model_cls, spec, args))


def resolve_paths(args: Any, workdir: Optional[str]) -> None:
    """Makes relative --out and --data-dir relative to ``workdir``.

    ``bazel run`` starts the program in its runfiles tree and names the
    directory the user ran it from in BUILD_WORKING_DIRECTORY; paths on the
    command line mean that directory, as for any other command.
    """
    if not workdir:
        return
    for name in ("out", "data_dir"):
        value = getattr(args, name, None)
        if value and not os.path.isabs(value):
            setattr(args, name, os.path.join(workdir, value))
