"""Data loaders, layout conversion, splits and the synthetic data set."""
import numpy as np
import pytest
import torch

from conftest import cnn_spec, make_spec, mlp_spec, regression_spec, token_spec, two_input_spec
from rules_neural import data
from rules_neural.errors import DataError
from rules_neural.idx import write_idx


def write_idx_dir(directory, n_train=40, n_test=10, hw=(28, 28), channels=None, gz=True):
    rng = np.random.default_rng(0)
    directory.mkdir(parents=True, exist_ok=True)
    ext = ".gz" if gz else ""
    shape = hw + ((channels,) if channels else ())
    for part, n in (("train", n_train), ("t10k", n_test)):
        write_idx(directory / f"{part}-images-idx3-ubyte{ext}",
                  rng.integers(0, 256, (n,) + shape, dtype=np.uint8))
        write_idx(directory / f"{part}-labels-idx1-ubyte{ext}",
                  rng.integers(0, 10, n, dtype=np.uint8))
    return directory


@pytest.mark.parametrize("gz", [True, False])
def test_idx_directory_to_channels_first_floats(tmp_path, gz):
    d = write_idx_dir(tmp_path / "mnist", gz=gz)
    raw = data.load_idx(d)
    assert raw.x_train.shape == (40, 28, 28) and raw.x_train.dtype == np.uint8
    prepared = data.load(cnn_spec(), "idx", str(d), validation_split=0.25, seed=3)
    x = prepared.train.x["image"]
    assert x.shape == (30, 1, 28, 28) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert prepared.train.y.dtype == np.int64
    assert (len(prepared.train), len(prepared.val), len(prepared.test)) == (30, 10, 10)
    # The test split is the t10k files, untouched by the validation split.
    np.testing.assert_allclose(prepared.test.x["image"][:, 0], raw.x_test / 255.0, rtol=1e-6)


def test_channels_last_to_channels_first():
    spec = two_input_spec()
    img = np.arange(4 * 8 * 8 * 3, dtype=np.float32).reshape(4, 8, 8, 3)
    split = data.prepare_split({"image": img, "meta": np.zeros((4, 5))}, np.array([0, 1, 0, 1]),
                               spec, "t")
    assert split.x["image"].shape == (4, 3, 8, 8)
    np.testing.assert_array_equal(split.x["image"][2, 1], img[2, :, :, 1])
    assert split.x["image"].flags["C_CONTIGUOUS"]


def test_images_flatten_for_a_vector_model():
    spec = make_spec(inputs=[{"name": "x", "shape": [784], "torch_shape": [784],
                              "layout": "NF", "dtype": "float32"}],
                     output={"shape": [10], "activation": "softmax", "logits": True})
    split = data.prepare_split(np.zeros((3, 28, 28), np.uint8), np.array([1, 2, 3]), spec, "t")
    assert split.x["x"].shape == (3, 784)


def test_wrong_image_size_message(tmp_path):
    d = write_idx_dir(tmp_path / "cifar", hw=(32, 32), channels=3)
    with pytest.raises(DataError) as e:
        data.load(cnn_spec(), "idx", str(d))
    assert "the model expects 28×28×1 images but the data has 32×32×3" in str(e.value)
    d2 = write_idx_dir(tmp_path / "small", hw=(14, 14))
    with pytest.raises(DataError, match="expects 28×28×1 images but the data has 14×14×1"):
        data.load(cnn_spec(), "idx", str(d2))


def test_missing_directory_and_files(tmp_path):
    with pytest.raises(DataError, match=r"nowhere: no such directory"):
        data.load(cnn_spec(), "idx", str(tmp_path / "nowhere"))
    d = write_idx_dir(tmp_path / "partial")
    (d / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"no test labels file \(t10k-labels-idx1-ubyte.gz"):
        data.load(cnn_spec(), "idx", str(d))
    with pytest.raises(DataError, match="needs --data-dir"):
        data.load(cnn_spec(), "idx", None)


def test_fashion_mnist_default_directory_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "FASHION_MNIST_DIR", str(tmp_path / "absent"))
    with pytest.raises(DataError, match="install Debian's dataset-fashion-mnist"):
        data.load(cnn_spec(), "fashion_mnist")


def test_truncated_dataset_file(tmp_path):
    d = write_idx_dir(tmp_path / "m")
    p = d / "train-images-idx3-ubyte.gz"
    p.write_bytes(p.read_bytes()[:200])
    truncated = "train-images-idx3-ubyte.gz: the gzip stream is truncated"
    with pytest.raises(DataError, match=truncated):
        data.load(cnn_spec(), "idx", str(d))


def test_image_label_count_mismatch(tmp_path):
    d = write_idx_dir(tmp_path / "m")
    write_idx(d / "train-labels-idx1-ubyte.gz", np.zeros(7, np.uint8))
    with pytest.raises(DataError, match="40 train images but 7 train labels"):
        data.load_idx(d)


def test_labels_out_of_range():
    with pytest.raises(DataError, match="labels range from 0 to 7 but the model has 3 output"):
        data.prepare_split(np.zeros((2, 20)), np.array([0, 7]), mlp_spec(), "t")


def test_npz_single_and_validation(tmp_path):
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "d.npz", x_train=rng.random((50, 20)), y_train=rng.integers(0, 3, 50),
             x_test=rng.random((9, 20)), y_test=rng.integers(0, 3, 9),
             x_val=rng.random((5, 20)), y_val=rng.integers(0, 3, 5))
    for where in (tmp_path / "d.npz", tmp_path):
        d = data.load(mlp_spec(), "npz", str(where))
        assert (len(d.train), len(d.val), len(d.test)) == (50, 5, 9)
        assert d.train.x["features"].dtype == np.float32
    assert data.default_dataset(mlp_spec(), str(tmp_path)) == "npz"


def test_npz_multi_input_and_missing_keys(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {}
    for part, n in (("train", 20), ("test", 6)):
        arrays[f"x_{part}_image"] = rng.random((n, 8, 8, 3))
        arrays[f"x_{part}_meta"] = rng.random((n, 5))
        arrays[f"y_{part}"] = rng.integers(0, 2, n)
    np.savez(tmp_path / "m.npz", **arrays)
    d = data.load(two_input_spec(), "npz", str(tmp_path / "m.npz"))
    assert set(d.train.x) == {"image", "meta"} and d.train.x["image"].shape[1:] == (3, 8, 8)
    del arrays["x_test_meta"]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match="no x_test_image, x_test_meta array"):
        data.load(two_input_spec(), "npz", str(tmp_path / "bad.npz"))


def test_single_input_dataset_for_multi_input_model(tmp_path):
    d = write_idx_dir(tmp_path / "m")
    with pytest.raises(DataError, match="the model has 2 inputs"):
        data.load(two_input_spec(), "idx", str(d))


def test_validation_split_is_deterministic():
    train = data.Split({"x": np.arange(100)[:, None]}, np.arange(100))
    a_tr, a_val = data.split_validation(train, 0.2, seed=7)
    b_tr, b_val = data.split_validation(train, 0.2, seed=7)
    c_tr, c_val = data.split_validation(train, 0.2, seed=8)
    np.testing.assert_array_equal(a_val.y, b_val.y)
    assert not np.array_equal(a_val.y, c_val.y)
    assert len(a_val) == 20 and len(a_tr) == 80
    assert not set(a_val.y) & set(a_tr.y)


@pytest.mark.parametrize("make", [mlp_spec, cnn_spec, token_spec, two_input_spec,
                                  lambda: regression_spec("huber"),
                                  lambda: make_spec(loss="categorical_crossentropy"),
                                  lambda: make_spec(loss="binary_crossentropy",
                                                    output={"shape": [1], "activation": "sigmoid",
                                                            "logits": True}),
                                  lambda: make_spec(loss="hinge", output={"shape": [1],
                                                    "activation": "tanh", "logits": False}),
                                  lambda: make_spec(loss="kl_divergence", output={
                                      "shape": [3], "activation": "softmax", "logits": False})])
def test_synthetic_is_deterministic_and_shaped(make):
    spec = make()
    a = data.load(spec, "synthetic", synthetic_size=64, seed=5)
    b = data.load(spec, "synthetic", synthetic_size=64, seed=5)
    c = data.load(spec, "synthetic", synthetic_size=64, seed=6)
    for name in a.train.x:
        np.testing.assert_array_equal(a.train.x[name], b.train.x[name])
        assert not np.array_equal(a.train.x[name], c.train.x[name])
    np.testing.assert_array_equal(a.test.y, b.test.y)
    assert len(a.train) + len(a.val) == 64 and len(a.test) == 16


def test_synthetic_targets_are_a_function_of_inputs():
    # Same inputs, same label: regenerate with other sizes and compare a sample.
    raw = data.synthetic(mlp_spec(), size=200, seed=1)
    labels = raw.y_train
    assert set(np.unique(labels)) == {0, 1, 2}
    # A nearest-prototype rule: a linear classifier fits the labels exactly.
    x = np.c_[raw.x_train["features"], np.ones(200)]
    w, *_ = np.linalg.lstsq(x, np.eye(3)[labels], rcond=None)
    assert (np.argmax(x @ w, 1) == labels).mean() > 0.95


def test_synthetic_tokens_respect_vocab():
    raw = data.synthetic(token_spec(), size=64, seed=0, vocab_sizes={"tokens": 7})
    t = raw.x_train["tokens"]
    assert t.dtype == np.int64 and t.min() >= 1 and t.max() < 7
    with pytest.raises(DataError, match="token id 9 but the embedding has only 5 entries"):
        data.prepare_split({"tokens": np.full((2, 12), 9)}, np.array([0, 1]), token_spec(), "t",
                           {"tokens": 5})


def test_sequence_output_synthetic():
    spec = make_spec(inputs=[{"name": "tokens", "shape": [None], "torch_shape": [None],
                              "layout": "tokens", "dtype": "int64"}],
                     output={"shape": [None, 11], "activation": "softmax", "logits": True})
    d = data.load(spec, "synthetic", synthetic_size=32, vocab_sizes={"tokens": 20})
    assert d.train.x["tokens"].shape[1:] == (16,) and d.train.y.shape[1:] == (16,)


def test_one_hot_conversion_for_categorical():
    spec = make_spec(loss="categorical_crossentropy")
    split = data.prepare_split(np.zeros((3, 20)), np.array([2, 0, 1]), spec, "t")
    np.testing.assert_array_equal(split.y, np.eye(3, dtype=np.float32)[[2, 0, 1]])
    sparse = data.prepare_split(np.zeros((2, 20)), np.eye(3)[[1, 2]], mlp_spec(), "t")
    np.testing.assert_array_equal(sparse.y, [1, 2])


def test_batches_and_torch_helpers():
    split = data.Split({"features": np.arange(20, dtype=np.float32).reshape(10, 2)},
                       np.arange(10))
    batches = data.Batches(split, 4)
    got = [yb.tolist() for _, yb in batches]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(batches) == 3
    g = torch.Generator().manual_seed(0)
    shuffled = sorted(v for _, yb in data.Batches(split, 4, True, g) for v in yb.tolist())
    assert shuffled == list(range(10))
    before = torch.get_rng_state()
    list(data.Batches(split, 4, True, torch.Generator().manual_seed(1)))
    assert torch.equal(before, torch.get_rng_state())  # the global RNG is untouched
    loader = data.data_loader(split, 5, shuffle=True, seed=0)
    xb, yb = next(iter(loader))
    assert xb["features"].shape == (5, 2) and yb.shape == (5,)
