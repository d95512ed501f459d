"""The IDX file format of (Fashion-)MNIST, plain or gzipped.

An IDX file is two zero bytes, a type byte, a rank byte, ``rank`` big-endian
uint32 dimensions and then the big-endian array data. Every check says which
file is wrong and how, so a truncated download or a wrong file is a clear
error instead of a reshape failure deep inside numpy.
"""
from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path
from typing import Union

import numpy as np

from .errors import DataError

_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"

PathLike = Union[str, "os.PathLike[str]"]


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, expected an IDX file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror or e}") from None
    if raw[:2] != _GZIP_MAGIC:
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise DataError(f"{path}: the gzip stream is truncated (the file is "
                        "incomplete; copy or install it again)") from None
    except (OSError, zlib.error) as e:
        raise DataError(f"{path}: corrupt gzip data ({e}); copy or install "
                        "the file again") from None


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a native-endian numpy array."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"{path}: too short for an IDX header ({len(data)} bytes); "
                        "the file is truncated or not an IDX file")
    zero, code, rank = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in _TYPES or rank == 0:
        raise DataError(f"{path}: not an IDX file (bad magic number "
                        f"0x{data[:4].hex()}; expected 0x0000TTRR with type TT "
                        "in 08,09,0b,0c,0d,0e and rank RR > 0)")
    header = 4 + 4 * rank
    if len(data) < header:
        raise DataError(f"{path}: truncated IDX header (rank {rank} needs "
                        f"{header} bytes, the file has {len(data)})")
    dims = struct.unpack(f">{rank}I", data[4:header])
    dtype = _TYPES[code]
    want = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) < want:
        raise DataError(f"{path}: truncated: the header announces shape "
                        f"{'×'.join(map(str, dims))} ({want} bytes) but the "
                        f"file has {len(data)} bytes")
    if len(data) > want:
        raise DataError(f"{path}: corrupt: {len(data) - want} unexpected bytes "
                        f"after the {'×'.join(map(str, dims))} array")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=False)


def write_idx(path: PathLike, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as IDX; gzipped when ``compress`` or the name ends in .gz.

    Used by tests and to convert data sets; not atomic (see checkpoint.py
    for files that must never be half-written).
    """
    path = Path(path)
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    body = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    body += np.ascontiguousarray(array, dtype=_TYPES[code]).tobytes()
    if compress is None:
        compress = path.suffix == ".gz"
    path.write_bytes(gzip.compress(body, mtime=0) if compress else body)
