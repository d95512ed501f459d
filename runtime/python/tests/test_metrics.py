"""Metrics over a split, against definitions computed by hand."""
import itertools

import numpy as np
import pytest
import torch

from conftest import make_spec
from rules_neural.errors import UserError
from rules_neural.metrics import MetricSet, macro_auc, roc_auc

CLASSES = {"shape": [3], "activation": "softmax", "logits": True}
BINARY = {"shape": [1], "activation": "sigmoid", "logits": True}


def run(spec, outputs, targets, batch=2):
    m = MetricSet(spec)
    for i in range(0, len(targets), batch):  # streaming must equal one big batch
        m.update(outputs[i:i + batch], targets[i:i + batch])
    return m.result()


def brute_auc(scores, labels):
    pos = [s for s, positive in zip(scores, labels) if positive]
    neg = [s for s, positive in zip(scores, labels) if not positive]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_sparse_classification_metrics():
    logits = torch.tensor([[3.0, 0.1, 0], [0, 3, 0.2], [0.3, 0, 3], [3, 0, 0.4], [0, 3, 1],
                           [1, 0, 3]])
    y = torch.tensor([0, 1, 1, 2, 1, 2])
    preds = [0, 1, 2, 0, 1, 2]
    spec = make_spec(output=CLASSES, metrics=["accuracy", {"name": "top_k_accuracy",
                                                           "args": {"k": 2}},
                                              "precision", "recall", "f1", "auc", "mse"])
    r = run(spec, logits, y)
    assert r["accuracy"] == pytest.approx(4 / 6)
    top2 = np.argsort(-logits.numpy(), 1)[:, :2]
    want = np.mean([t in row for t, row in zip(y.numpy(), top2)])
    assert r["top_2_accuracy"] == pytest.approx(want)
    # Per class: precision tp/pred, recall tp/true (macro over classes).
    p = [1 / 2, 2 / 2, 1 / 2]
    rc = [1 / 1, 2 / 3, 1 / 2]
    f = [2 * a * b / (a + b) for a, b in zip(p, rc)]
    assert r["precision"] == pytest.approx(np.mean(p))
    assert r["recall"] == pytest.approx(np.mean(rc))
    assert r["f1"] == pytest.approx(np.mean(f))
    probs = torch.softmax(logits, -1).numpy()
    want_auc = np.mean([brute_auc(probs[:, c], (y.numpy() == c)) for c in range(3)])
    assert r["auc"] == pytest.approx(want_auc)
    onehot = np.eye(3)[y.numpy()]
    assert r["mse"] == pytest.approx(((probs - onehot) ** 2).mean(), rel=1e-5)
    assert preds == logits.argmax(1).tolist()
    ce = torch.nn.functional.cross_entropy(logits, y).item()
    assert r["loss"] == pytest.approx(ce, rel=1e-5)


def test_categorical_targets_use_argmax():
    logits = torch.tensor([[2.0, 0, 0], [0, 0, 1]])
    spec = make_spec(loss="categorical_crossentropy", output=CLASSES)
    assert run(spec, logits, torch.eye(3)[[0, 1]])["accuracy"] == 0.5


def test_binary_metrics():
    z = torch.tensor([[2.0], [-1.0], [0.5], [-0.2], [1.0]])
    y = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])
    spec = make_spec(loss="binary_crossentropy", output=BINARY,
                     metrics=["accuracy", "precision", "recall", "f1", "auc"])
    r = run(spec, z, y)
    pred = [1, 0, 1, 0, 1]
    tp = 2
    assert r["accuracy"] == pytest.approx(3 / 5)
    assert r["precision"] == pytest.approx(tp / sum(pred))
    assert r["recall"] == pytest.approx(tp / 3)
    assert r["f1"] == pytest.approx(2 * (2 / 3) * (2 / 3) / (4 / 3))
    assert r["auc"] == pytest.approx(brute_auc(z.flatten().tolist(), y.tolist()))


def test_auc_with_ties_and_degenerate_cases():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, 50).astype(float)  # many ties
    labels = rng.integers(0, 2, 50)
    assert roc_auc(scores, labels) == pytest.approx(brute_auc(scores, labels))
    assert np.isnan(roc_auc(np.array([0.1, 0.2]), np.array([1, 1])))
    s = rng.random((30, 3))
    lab = rng.integers(0, 3, 30)
    assert macro_auc(s, lab) == pytest.approx(np.mean([brute_auc(s[:, c], lab == c)
                                                       for c in range(3)]))


def test_loss_names_as_metrics_and_aliases():
    spec = make_spec(loss="mse", output={"shape": [2], "activation": "linear", "logits": False},
                     metrics=["mae", "mean_squared_error", "huber"])
    out = torch.tensor([[0.0, 1.0], [2.0, 2.0]])
    y = torch.tensor([[0.0, 0.0], [0.0, 2.0]])
    r = run(spec, out, y)
    assert r["mae"] == pytest.approx(3 / 4)
    assert r["mse"] == pytest.approx(r["loss"]) == pytest.approx(5 / 4)
    assert r["huber"] == pytest.approx((0.5 + 1.5) / 4)


def test_regression_accuracy_follows_keras():
    spec = make_spec(loss="mse", output={"shape": [1], "activation": "sigmoid", "logits": False})
    r = run(spec, torch.tensor([[0.9], [0.2], [0.6]]), torch.tensor([1.0, 0.0, 0.0]))
    assert r["accuracy"] == pytest.approx(2 / 3)


def test_top_k_needs_classes():
    spec = make_spec(loss="binary_crossentropy", output=BINARY,
                     metrics=[{"name": "top_k_accuracy", "args": {"k": 5}}])
    with pytest.raises(UserError, match="top_k_accuracy needs"):
        MetricSet(spec)
