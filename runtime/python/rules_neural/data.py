"""Training data: loaders, conversion to the module's layout, splits, batches.

Loaders return numpy arrays in the DSL's layout (channels-last images,
uint8 pixels as stored); :func:`prepare` fits them to a SPEC: it checks
shapes against the model's inputs (with a message like "the model expects
28×28×1 images but the data has 32×32×3"), scales uint8 images to [0, 1]
float32, moves channels first where the SPEC's layout says so, and converts
targets to what the loss expects. Multi-input models get a dict of arrays
keyed by input name.

Data sets (``--dataset``):

* ``idx``: a directory with the four (gzipped) IDX files of the MNIST format.
* ``fashion_mnist``: ``idx`` from :data:`FASHION_MNIST_DIR` unless a
  directory is given (Debian's ``dataset-fashion-mnist``).
* ``npz``: a ``.npz`` file (or a directory holding one) with ``x_train``,
  ``y_train``, ``x_test``, ``y_test`` and optionally ``x_val``/``y_val``;
  multi-input models use ``x_train_<input>`` etc.
* ``synthetic``: a deterministic, learnable data set made from the SPEC.

The validation split is carved from the training split with a seeded
permutation (unless the data set has its own); the test split is always
separate and never used for training.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Optional, Sequence, Union

import numpy as np

from . import spec as specs
from .errors import DataError
from .idx import read_idx

if TYPE_CHECKING:  # torch is imported where batches are made, not to read data
    import torch

FASHION_MNIST_DIR = os.environ.get("RULES_NEURAL_FASHION_MNIST_DIR",
                                   "/usr/share/datasets/fashion-mnist")
DATASETS = ("fashion_mnist", "idx", "npz", "synthetic")
DEFAULT_SYNTHETIC_SIZE = 1024
DEFAULT_SYNTHETIC_VOCAB = 32
# Data sets smaller than this are copied to the accelerator once.
RESIDENT_BYTES = 1 << 30

# File names of the four IDX files, by role, in order of preference.
_IDX_NAMES = {
    "train images": ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte",
                     "train-images.idx3-ubyte"),
    "train labels": ("train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte",
                     "train-labels.idx1-ubyte"),
    "test images": ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte",
                    "t10k-images.idx3-ubyte", "test-images-idx3-ubyte.gz",
                    "test-images-idx3-ubyte"),
    "test labels": ("t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte",
                    "t10k-labels.idx1-ubyte", "test-labels-idx1-ubyte.gz",
                    "test-labels-idx1-ubyte"),
}

Inputs = Union[np.ndarray, Mapping[str, np.ndarray]]


@dataclass
class Split:
    """Inputs keyed by input name, and targets, of one split."""

    x: dict
    y: np.ndarray

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def take(self, index: np.ndarray) -> "Split":
        return Split({k: v[index] for k, v in self.x.items()}, self.y[index])


@dataclass
class RawData:
    """Arrays as a loader found them (DSL layout, stored dtypes)."""

    name: str
    source: str
    x_train: Inputs
    y_train: np.ndarray
    x_test: Inputs
    y_test: np.ndarray
    x_val: Optional[Inputs] = None
    y_val: Optional[np.ndarray] = None


@dataclass
class Data:
    """Prepared splits, ready for :class:`Batches`."""

    name: str
    source: str
    train: Split
    val: Split
    test: Split
    notes: list = field(default_factory=list)

    def describe(self) -> dict:
        return {"name": self.name, "source": self.source, "train": len(self.train),
                "validation": len(self.val), "test": len(self.test)}


# ---------------------------------------------------------------- loaders


def _find_idx(directory: Path, role: str) -> Path:
    for name in _IDX_NAMES[role]:
        if (directory / name).is_file():
            return directory / name
    expected = ", ".join(names[0] for names in _IDX_NAMES.values())
    raise DataError(f"{directory}: no {role} file ({_IDX_NAMES[role][0]} or "
                    f"{_IDX_NAMES[role][1]}); an IDX data directory holds "
                    f"{expected}")


def load_idx(directory: Union[str, os.PathLike], name: str = "idx") -> RawData:
    """Read the four MNIST-format IDX files of ``directory``."""
    d = Path(directory)
    if not d.exists():
        raise DataError(f"{d}: no such directory")
    if not d.is_dir():
        raise DataError(f"{d}: not a directory (expected a directory with IDX files)")
    arrays = {role: read_idx(_find_idx(d, role)) for role in _IDX_NAMES}
    for part in ("train", "test"):
        images, labels = arrays[f"{part} images"], arrays[f"{part} labels"]
        if labels.ndim != 1:
            raise DataError(f"{d}: {part} labels have shape {labels.shape}, expected one "
                            "label per image (a rank-1 IDX file)")
        if images.shape[0] != labels.shape[0]:
            raise DataError(f"{d}: {images.shape[0]} {part} images but "
                            f"{labels.shape[0]} {part} labels")
    return RawData(name, str(d), arrays["train images"], arrays["train labels"],
                   arrays["test images"], arrays["test labels"])


def load_fashion_mnist(directory: Union[str, os.PathLike, None] = None) -> RawData:
    d = Path(directory or FASHION_MNIST_DIR)
    if directory is None and not d.is_dir():
        raise DataError(f"{d}: no such directory: install Debian's dataset-fashion-mnist "
                        "package (tools/setup.sh does), pass --data-dir DIR, or use "
                        "--dataset synthetic")
    return load_idx(d, name="fashion_mnist")


def _npz_path(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"{path}: no such file or directory")
    if path.is_file():
        return path
    found = sorted(path.glob("*.npz"))
    if (path / "data.npz").is_file():
        return path / "data.npz"
    if len(found) == 1:
        return found[0]
    if not found:
        raise DataError(f"{path}: no .npz file in this directory")
    raise DataError(f"{path}: several .npz files ({', '.join(p.name for p in found)}); "
                    "pass the file itself or name one data.npz")


def load_npz(path: Union[str, os.PathLike], input_names: Sequence[str] = ()) -> RawData:
    """Read ``x_train, y_train, x_test, y_test`` (+ optional ``x_val, y_val``).

    With several inputs the arrays are ``x_train_<input>`` and so on.
    """
    p = _npz_path(Path(path))
    try:
        with np.load(p, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as e:
        raise DataError(f"{p}: not a readable .npz file ({e})") from None

    def inputs(part: str, required: bool = True) -> Optional[Inputs]:
        if len(input_names) <= 1 and f"x_{part}" in arrays:
            return arrays[f"x_{part}"]
        keys = [f"x_{part}_{n}" for n in input_names]
        if input_names and all(k in arrays for k in keys):
            return {n: arrays[k] for n, k in zip(input_names, keys)}
        if not required:
            return None
        want = f"x_{part}" if len(input_names) <= 1 else ", ".join(keys)
        raise DataError(f"{p}: no {want} array (the file has {', '.join(sorted(arrays))}); "
                        "an npz data set holds x_train, y_train, x_test, y_test "
                        "(x_<split>_<input> for models with several inputs)")

    def labels(part: str, required: bool = True) -> Optional[np.ndarray]:
        if f"y_{part}" in arrays:
            return arrays[f"y_{part}"]
        if required:
            raise DataError(f"{p}: no y_{part} array (the file has {', '.join(sorted(arrays))})")
        return None

    x_val, y_val = inputs("val", required=False), labels("val", required=False)
    if (x_val is None) != (y_val is None):
        raise DataError(f"{p}: has only one of x_val and y_val")
    return RawData("npz", str(p), inputs("train"), labels("train"), inputs("test"),
                   labels("test"), x_val, y_val)


# -------------------------------------------------------------- synthetic


def _smooth_patterns(rng: np.random.Generator, k: int, shape: tuple) -> np.ndarray:
    """k random patterns of ``shape`` (channels-last) that vary slowly in space.

    Low-frequency patterns make the classes learnable by convolutions and
    pooling as well as by dense layers.
    """
    spatial, channels = shape[:-1], shape[-1]
    coarse = tuple(max(1, math.ceil(s / 4)) for s in spatial)
    base = rng.standard_normal((k,) + coarse + (channels,)).astype(np.float32)
    for axis, size in enumerate(spatial, start=1):
        base = np.repeat(base, 4, axis=axis).take(range(size), axis=axis)
    return base


def _features(x: np.ndarray, inp: specs.InputSpec, buckets: int = 64) -> np.ndarray:
    """A per-sample feature vector: the values, or a bag of hashed tokens."""
    n = x.shape[0]
    if inp.is_tokens:
        hist = np.zeros((n, buckets), np.float32)
        np.add.at(hist, (np.repeat(np.arange(n), x[0].size), (x % buckets).reshape(-1)), 1.0)
        return hist / max(1, x[0].size)
    return x.reshape(n, -1).astype(np.float32)


def synthetic(spec: Mapping[str, Any], size: int = DEFAULT_SYNTHETIC_SIZE,
              seed: int = specs.DEFAULT_SEED,
              vocab_sizes: Optional[Mapping[str, int]] = None,
              test_size: Optional[int] = None) -> RawData:
    """A deterministic data set shaped like the SPEC whose targets are learnable.

    Inputs are drawn around a few class prototypes (smooth patterns for
    images, preferred tokens for token inputs) and the target is a fixed
    function of the inputs: the nearest prototype for classification, a fixed
    linear map for regression, per-token classes for sequence outputs. The
    same ``seed`` gives the same arrays on every machine; the generator is
    private (numpy's ``default_rng``), so the global RNGs are untouched.
    Unknown dimensions (``None``) become :data:`spec.DEFAULT_UNKNOWN_DIM`.
    Token inputs draw ids from 1 … V-1 (0 is left for padding) where V is
    ``vocab_sizes[name]``, the SPEC input's ``vocab_size``, or
    :data:`DEFAULT_SYNTHETIC_VOCAB`.
    """
    if size < 2:
        raise DataError(f"the synthetic data set needs at least 2 samples, got {size}")
    test_size = max(1, size // 4) if test_size is None else test_size
    n = size + test_size
    rng = np.random.default_rng(seed)
    ins = specs.inputs(spec)
    kind = specs.target_kind(spec)
    classes = specs.num_classes(spec)
    tshape = specs.target_shape(spec)
    # Sequence outputs, e.g. (T, classes): one label per position.
    per_position = kind in ("class", "onehot", "distribution") and len(
        tshape if kind == "class" else tshape[:-1]) > 0
    # One binary decision (shape (1,)): two latent classes; several (multi-label,
    # per-pixel masks): independent linear decisions, no latent classes.
    single = math.prod(tshape) == 1
    scalar_classes = {"class": classes, "onehot": classes, "distribution": classes,
                      "signed": 2 if single else (classes if len(tshape) == 1 else 1),
                      "binary": 2 if single else 1}.get(kind, 1)
    k = 1 if per_position else max(1, min(scalar_classes, 16))
    latent = rng.integers(0, k, n)

    x: dict = {}
    scores = np.zeros((n, k), np.float64)
    vocabs = {}
    for inp in ins:
        shape = inp.concrete_shape()
        if inp.is_tokens:
            v = int((vocab_sizes or {}).get(inp.name) or
                    next((r.get("vocab_size") for r in spec["inputs"]
                          if r["name"] == inp.name and r.get("vocab_size")), 0) or
                    DEFAULT_SYNTHETIC_VOCAB)
            vocabs[inp.name] = v
            tokens = rng.integers(1, max(2, v), (n,) + shape)
            if k > 1:
                # Class c prefers the ids t in 1 … v-1 with t % k == c.
                start = np.where(latent == 0, k, latent)
                count = np.maximum((v - 1 - start) // k + 1, 0)
                bcast = (n,) + (1,) * len(shape)
                index = np.floor(rng.random((n,) + shape) * count.reshape(bcast))
                preferred = start.reshape(bcast) + k * index.astype(np.int64)
                use = (rng.random((n,) + shape) < 0.6) & (count.reshape(bcast) > 0)
                tokens = np.where(use, preferred, tokens)
                counts = np.stack([(tokens % k == c).reshape(n, -1).sum(1)
                                   for c in range(k)], 1)
                scores += counts
            x[inp.name] = tokens.astype(np.int64)
        else:
            if len(shape) >= 3:
                protos = _smooth_patterns(rng, k, shape)
            else:
                protos = rng.standard_normal((k,) + shape).astype(np.float32)
            noise = rng.standard_normal((n,) + shape).astype(np.float32)
            values = protos[latent] + noise
            flat = values.reshape(n, -1)
            pflat = protos.reshape(k, -1)
            scores += flat @ pflat.T - 0.5 * (pflat * pflat).sum(1)
            x[inp.name] = values
    label = scores.argmax(1)  # the nearest prototype: a function of the inputs

    feats = np.concatenate([_features(x[i.name], i) for i in ins], 1)
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)

    def lowrank(m: int) -> np.ndarray:
        """A fixed linear map of the features to m values (low rank: cheap for big m)."""
        r = min(32, feats.shape[1])
        a = rng.standard_normal((feats.shape[1], r)) / math.sqrt(feats.shape[1])
        b = rng.standard_normal((r, m)) / math.sqrt(r)
        return feats @ a @ b

    if per_position:
        positions = tshape if kind == "class" else tshape[:-1]
        token_in = next((i for i in ins if i.is_tokens and
                         i.concrete_shape() == tuple(positions)), None)
        if token_in is not None:
            table = rng.integers(0, classes, vocabs[token_in.name])
            cls = table[x[token_in.name]]
        else:
            proj = lowrank(classes)
            cls = np.broadcast_to(proj.argmax(1).reshape((n,) + (1,) * len(positions)),
                                  (n,) + tuple(positions)).copy()
    else:
        mapping = np.sort(rng.choice(classes, k, replace=False)) if classes >= k else np.arange(k)
        cls = mapping[label]

    if kind == "class":
        y = cls.astype(np.int64).reshape((n,) + tshape)
    elif kind in ("onehot", "distribution"):
        y = np.eye(classes, dtype=np.float32)[cls]
        if kind == "distribution":
            y = 0.8 * y + 0.2 / classes
    elif kind in ("binary", "signed"):
        if single:
            y = (label == 1).astype(np.float32).reshape((n,) + tshape)
        elif k > 1:  # hinge on several classes: one-hot rows
            y = np.eye(classes, dtype=np.float32)[cls].reshape((n,) + tshape)
        else:  # several independent decisions
            y = (lowrank(math.prod(tshape)) > 0).astype(np.float32).reshape((n,) + tshape)
        if kind == "signed":
            y = 2.0 * y - 1.0
    else:  # real: a fixed low-rank linear map of the features
        y = lowrank(math.prod(tshape)).astype(np.float32).reshape((n,) + tshape)

    order = rng.permutation(n)
    x = {name: arr[order] for name, arr in x.items()}
    y = y[order]
    train, test = slice(0, size), slice(size, n)
    return RawData("synthetic", f"synthetic(size={size}, seed={seed})",
                   {k_: v[train] for k_, v in x.items()}, y[train],
                   {k_: v[test] for k_, v in x.items()}, y[test])


# ------------------------------------------------------------ preparation


def _dims(shape: Sequence) -> str:
    return "×".join("?" if d is None else str(d) for d in shape)


def _matches(got: Sequence, want: Sequence) -> bool:
    return len(got) == len(want) and all(w is None or int(w) == g for g, w in zip(got, want))


def _fit_input(arr: np.ndarray, inp: specs.InputSpec, where: str) -> np.ndarray:
    """Reshape one input array to the model's DSL shape, or explain the mismatch."""
    arr = np.asarray(arr)
    if arr.ndim == 0:
        raise DataError(f"{where}: input {inp.name!r} is a scalar, expected one sample per row")
    got, want = arr.shape[1:], tuple(inp.shape)
    if _matches(got, want):
        return arr
    # Grayscale images stored without a channel axis (IDX: N×28×28).
    if len(want) >= 3 and want[-1] == 1 and _matches(got, want[:-1]):
        return arr[..., None]
    # Images fed to a vector model: flatten when the element count matches.
    if len(want) == 1 and want[0] is not None and len(got) >= 2 and math.prod(got) == want[0]:
        return arr.reshape(arr.shape[0], -1)
    named = f" (input {inp.name!r})" if inp.name != "input" else ""
    if len(want) == 3 and len(got) in (2, 3):
        data = got + (1,) if len(got) == 2 else got
        raise DataError(f"{where}: the model expects {_dims(want)} images but the data "
                        f"has {_dims(data)}{named}")
    raise DataError(f"{where}: the model expects inputs of shape {_dims(want)} but the "
                    f"data has {_dims(got) or 'scalars'}{named}")


def _convert_input(arr: np.ndarray, inp: specs.InputSpec, where: str,
                   vocab: Optional[int]) -> np.ndarray:
    arr = _fit_input(arr, inp, where)
    if inp.is_tokens:
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.all(np.mod(arr, 1) == 0):
                raise DataError(f"{where}: input {inp.name!r} takes integer token ids "
                                f"but the data has {arr.dtype} values")
        arr = arr.astype(np.int64, copy=False)
        if arr.size and arr.min() < 0:
            raise DataError(f"{where}: input {inp.name!r} has negative token ids")
        if vocab and arr.size and arr.max() >= vocab:
            raise DataError(f"{where}: input {inp.name!r} has token id {int(arr.max())} "
                            f"but the embedding has only {vocab} entries")
        return arr
    if arr.dtype == np.uint8:
        arr = arr.astype(np.float32) / np.float32(255.0)
    else:
        arr = arr.astype(np.float32, copy=False)
    if inp.channels_first:
        arr = np.moveaxis(arr, -1, 1)
    return np.ascontiguousarray(arr)


def _convert_targets(y: np.ndarray, spec: Mapping[str, Any], where: str) -> np.ndarray:
    y = np.asarray(y)
    kind = specs.target_kind(spec)
    classes = specs.num_classes(spec)
    out = tuple(specs.output_shape(spec))
    n = y.shape[0] if y.ndim else 0

    def reshape(arr: np.ndarray, want: tuple, what: str) -> np.ndarray:
        if _matches(arr.shape[1:], want):
            return arr
        if n and all(d is not None for d in want) and arr[0].size == math.prod(want):
            return arr.reshape((n,) + tuple(int(d) for d in want))
        raise DataError(f"{where}: the model's {what} have shape {_dims(want) or 'scalar'} "
                        f"but the data's targets have shape {_dims(arr.shape[1:]) or 'scalar'}")

    if kind in ("class", "onehot", "distribution"):
        if not np.issubdtype(y.dtype, np.integer) and classes > 1 and _matches(y.shape[1:], out):
            if kind != "class":
                return y.astype(np.float32)  # one-hot or probability rows
            y = y.argmax(-1)  # one-hot rows for a sparse loss
        if not (np.issubdtype(y.dtype, np.integer) or np.issubdtype(y.dtype, np.bool_)):
            if not np.all(np.mod(y, 1) == 0):
                raise DataError(f"{where}: class labels must be whole numbers, "
                                f"got {y.dtype} values such as {y.reshape(-1)[0]}")
        y = y.astype(np.int64)
        if y.size and (y.min() < 0 or y.max() >= classes):
            raise DataError(f"{where}: labels range from {int(y.min())} to {int(y.max())} "
                            f"but the model has {classes} output classes")
        y = reshape(y, out[:-1], "labels")
        if kind == "class":
            return y
        return np.eye(classes, dtype=np.float32)[y]
    y = y.astype(np.float32)
    if kind == "signed" and y.size and y.min() >= 0:
        y = 2.0 * y - 1.0  # Keras' hinge maps {0, 1} labels to {-1, 1}
    return reshape(y, out, "targets")


def _as_dict(x: Inputs, ins: Sequence[specs.InputSpec], where: str) -> dict:
    if isinstance(x, Mapping):
        missing = [i.name for i in ins if i.name not in x]
        if missing:
            raise DataError(f"{where}: no data for input(s) {', '.join(missing)} "
                            f"(the data has {', '.join(x) or 'none'})")
        return {i.name: x[i.name] for i in ins}
    if len(ins) != 1:
        raise DataError(f"{where}: the model has {len(ins)} inputs "
                        f"({', '.join(i.name for i in ins)}) but the data set has one; "
                        "use an npz file with x_train_<input> arrays, or --dataset synthetic")
    return {ins[0].name: x}


def prepare_split(x: Inputs, y: np.ndarray, spec: Mapping[str, Any], where: str,
                  vocab_sizes: Optional[Mapping[str, int]] = None) -> Split:
    ins = specs.inputs(spec)
    xs = _as_dict(x, ins, where)
    y = np.asarray(y)
    for name, arr in xs.items():
        if np.shape(arr)[:1] != y.shape[:1]:
            raise DataError(f"{where}: {np.shape(arr)[0] if np.ndim(arr) else 0} samples of "
                            f"input {name!r} but {y.shape[0] if y.ndim else 0} targets")
    if y.shape[0] == 0:
        raise DataError(f"{where}: no samples")
    vocab_sizes = vocab_sizes or {}
    return Split({i.name: _convert_input(xs[i.name], i, where, vocab_sizes.get(i.name))
                  for i in ins}, _convert_targets(y, spec, where))


def split_validation(train: Split, fraction: float, seed: int) -> tuple[Split, Split]:
    """Carve a validation split off ``train`` with a permutation seeded by ``seed``."""
    if not 0 < fraction < 1:
        raise DataError(f"validation_split must be between 0 and 1, got {fraction}")
    n = len(train)
    n_val = int(round(n * fraction))
    n_val = min(max(n_val, 1), n - 1)
    if n < 2:
        raise DataError(f"the training split has {n} sample(s); need at least 2 to "
                        "hold out a validation split")
    order = np.random.default_rng(seed).permutation(n)
    return train.take(np.sort(order[n_val:])), train.take(np.sort(order[:n_val]))


def prepare(raw: RawData, spec: Mapping[str, Any], validation_split: float, seed: int,
            vocab_sizes: Optional[Mapping[str, int]] = None) -> Data:
    train = prepare_split(raw.x_train, raw.y_train, spec, f"{raw.source} (train)", vocab_sizes)
    test = prepare_split(raw.x_test, raw.y_test, spec, f"{raw.source} (test)", vocab_sizes)
    if raw.x_val is not None:
        val = prepare_split(raw.x_val, raw.y_val, spec, f"{raw.source} (validation)", vocab_sizes)
    else:
        train, val = split_validation(train, validation_split, seed)
    return Data(raw.name, raw.source, train, val, test)


def default_dataset(spec: Mapping[str, Any], data_dir: Optional[str]) -> str:
    """The data set used when --dataset is not given.

    With --data-dir: ``npz`` for a .npz file or a directory with one,
    otherwise ``idx``. Without: ``fashion_mnist`` for a 28×28×1 10-class
    image classifier when the Debian data set is installed, else
    ``synthetic``.
    """
    if data_dir:
        p = Path(data_dir)
        if p.suffix == ".npz" or (p.is_dir() and any(p.glob("*.npz"))):
            return "npz"
        return "idx"
    if specs.is_image_classifier(spec) and Path(FASHION_MNIST_DIR).is_dir():
        return "fashion_mnist"
    return "synthetic"


def load(spec: Mapping[str, Any], dataset: str, data_dir: Optional[str] = None, *,
         seed: int = specs.DEFAULT_SEED,
         validation_split: float = specs.DEFAULT_VALIDATION_SPLIT,
         synthetic_size: int = DEFAULT_SYNTHETIC_SIZE,
         vocab_sizes: Optional[Mapping[str, int]] = None) -> Data:
    """Load and prepare ``dataset`` for the model described by ``spec``."""
    if dataset == "synthetic":
        raw = synthetic(spec, synthetic_size, seed, vocab_sizes)
    elif dataset == "fashion_mnist":
        raw = load_fashion_mnist(data_dir)
    elif dataset == "idx":
        if not data_dir:
            raise DataError("--dataset idx needs --data-dir DIR (a directory with IDX files)")
        raw = load_idx(data_dir)
    elif dataset == "npz":
        if not data_dir:
            raise DataError("--dataset npz needs --data-dir (a .npz file or its directory)")
        raw = load_npz(data_dir, [i.name for i in specs.inputs(spec)])
    else:
        raise DataError(f"unknown data set {dataset!r}; expected one of {', '.join(DATASETS)}")
    return prepare(raw, spec, validation_split, seed, vocab_sizes)


# ---------------------------------------------------------------- batches


class Batches:
    """Mini-batches over tensors (faster than a DataLoader for in-memory data).

    Shuffling uses its own ``torch.Generator``, so iterating never consumes
    the global torch RNG (dropout masks stay identical to a hand-written
    loop that seeds the same way).
    """

    def __init__(self, split: Split, batch_size: int, shuffle: bool = False,
                 generator: Optional["torch.Generator"] = None, device: Any = "cpu"):
        import torch

        if batch_size < 1:
            raise DataError(f"batch size must be at least 1, got {batch_size}")
        self.x = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in split.x.items()}
        self.y = torch.from_numpy(np.ascontiguousarray(split.y))
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = torch.device(device)
        size = sum(v.numel() * v.element_size() for v in self.x.values())
        # Small data sets live on the accelerator: no copy per batch.
        self.resident = self.device.type != "cpu" and size < RESIDENT_BYTES
        if self.resident:
            self.x = {k: v.to(self.device) for k, v in self.x.items()}
            self.y = self.y.to(self.device)

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch_size)

    @property
    def num_samples(self) -> int:
        return len(self.y)

    def __iter__(self) -> Iterator[tuple[dict, "torch.Tensor"]]:
        import torch

        n, bs = len(self.y), self.batch_size
        order = torch.randperm(n, generator=self.generator) if self.shuffle else None
        if order is not None and self.resident:
            order = order.to(self.device)
        for start in range(0, n, bs):
            if order is None:
                xb = {k: v[start:start + bs] for k, v in self.x.items()}
                yb = self.y[start:start + bs]
            else:
                idx = order[start:start + bs]
                xb = {k: v.index_select(0, idx) for k, v in self.x.items()}
                yb = self.y.index_select(0, idx)
            if not self.resident and self.device.type != "cpu":
                xb = {k: v.to(self.device) for k, v in xb.items()}
                yb = yb.to(self.device)
            yield xb, yb


def torch_dataset(split: Split) -> "torch.utils.data.Dataset":
    """A map-style torch Dataset of ``(inputs_dict, target)`` samples."""
    import torch

    class ArrayDataset(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(split)

        def __getitem__(self, i: int):
            return ({k: torch.from_numpy(np.asarray(v[i])) for k, v in split.x.items()},
                    torch.from_numpy(np.asarray(split.y[i])))

    return ArrayDataset()


def data_loader(split: Split, batch_size: int, shuffle: bool = False,
                seed: int = specs.DEFAULT_SEED, **kwargs: Any) -> "torch.utils.data.DataLoader":
    """A torch DataLoader over ``split`` with a seeded shuffle order."""
    import torch

    g = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(torch_dataset(split), batch_size=batch_size,
                                       shuffle=shuffle, generator=g, **kwargs)
