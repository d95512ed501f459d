"""IDX reading and writing, and the errors for damaged files."""
import gzip

import numpy as np
import pytest

from rules_neural.errors import DataError
from rules_neural.idx import read_idx, write_idx


@pytest.mark.parametrize("name", ["a-idx3-ubyte", "a-idx3-ubyte.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip(tmp_path, name, dtype):
    arr = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    if dtype == np.uint8:
        arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / name, arr)
    raw = (tmp_path / name).read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == name.endswith(".gz")
    back = read_idx(tmp_path / name)
    assert back.dtype == np.dtype(dtype) and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


def test_header_is_mnist_format(tmp_path):
    write_idx(tmp_path / "l", np.array([1, 2, 3], np.uint8))
    assert (tmp_path / "l").read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03"


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_idx(tmp_path / "nope.gz")


def test_bad_magic(tmp_path):
    (tmp_path / "x").write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(DataError, match="not an IDX file .*bad magic number 0x504b0304"):
        read_idx(tmp_path / "x")


def test_truncated_data(tmp_path):
    write_idx(tmp_path / "x", np.zeros((10, 28, 28), np.uint8))
    raw = (tmp_path / "x").read_bytes()
    (tmp_path / "x").write_bytes(raw[:-100])
    with pytest.raises(DataError, match=r"truncated: the header announces shape 10×28×28"):
        read_idx(tmp_path / "x")


def test_truncated_header(tmp_path):
    (tmp_path / "x").write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(DataError, match="truncated IDX header"):
        read_idx(tmp_path / "x")


def test_trailing_bytes(tmp_path):
    write_idx(tmp_path / "x", np.zeros((2, 2), np.uint8))
    (tmp_path / "x").write_bytes((tmp_path / "x").read_bytes() + b"junk")
    with pytest.raises(DataError, match="corrupt: 4 unexpected bytes"):
        read_idx(tmp_path / "x")


def test_truncated_gzip(tmp_path):
    write_idx(tmp_path / "x.gz", np.arange(1000, dtype=np.uint8))
    raw = (tmp_path / "x.gz").read_bytes()
    (tmp_path / "x.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="gzip stream is truncated"):
        read_idx(tmp_path / "x.gz")


def test_corrupt_gzip(tmp_path):
    good = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x04abcd" * 50)
    bad = good[:10] + bytes(b ^ 0xFF for b in good[10:30]) + good[30:]
    (tmp_path / "x.gz").write_bytes(bad)
    with pytest.raises(DataError, match="corrupt gzip data"):
        read_idx(tmp_path / "x.gz")
