"""Every loss of LANGUAGE.md §7 against its reference definition."""
import math

import pytest
import torch
import torch.nn.functional as F

from conftest import make_spec
from rules_neural import losses
from rules_neural.spec import canonical_loss

SOFTMAX_LOGITS = {"shape": [4], "activation": "softmax", "logits": True}
SOFTMAX_PROBS = {"shape": [4], "activation": "softmax", "logits": False}


def build(loss, output=None, **args):
    return losses.build(make_spec(loss=loss, loss_args=args, output=output or SOFTMAX_LOGITS))


@pytest.fixture
def logits():
    return torch.randn(6, 4, generator=torch.Generator().manual_seed(0), requires_grad=True)


@pytest.mark.parametrize("name,target", [
    ("sparse_categorical_crossentropy", torch.tensor([0, 1, 2, 3, 0, 1])),
    ("categorical_crossentropy", torch.eye(4)[[0, 1, 2, 3, 0, 1]]),
    ("binary_crossentropy", torch.eye(4)[[0, 1, 2, 3, 0, 1]]),
    ("mse", torch.ones(6, 4)), ("mae", torch.ones(6, 4)), ("huber", torch.ones(6, 4)),
    ("kl_divergence", torch.full((6, 4), 0.25)), ("hinge", torch.ones(6, 4)),
    ("cosine_similarity", torch.ones(6, 4)),
])
def test_every_loss_builds_and_backpropagates(name, target, logits):
    loss = build(name)(logits, target)
    assert loss.dim() == 0 and math.isfinite(loss.item())
    loss.backward()
    assert logits.grad is not None and torch.isfinite(logits.grad).all()


def test_aliases():
    assert canonical_loss("cross_entropy") == "categorical_crossentropy"
    assert canonical_loss("Mean_Squared_Error") == "mse"
    assert canonical_loss("kld") == "kl_divergence"
    with pytest.raises(ValueError, match="unknown loss"):
        canonical_loss("focal")


def test_sparse_on_logits_is_cross_entropy(logits):
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    fn = build("sparse_categorical_crossentropy")
    assert fn.logits
    torch.testing.assert_close(fn(logits, y), torch.nn.CrossEntropyLoss()(logits, y))


def test_categorical_one_hot_equals_sparse(logits):
    y = torch.tensor([3, 1, 2, 3, 0, 1])
    a = build("categorical_crossentropy")(logits, torch.eye(4)[y])
    b = build("sparse_categorical_crossentropy")(logits, y)
    torch.testing.assert_close(a, b)


def test_probabilities_path_matches_logits_path(logits):
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    on_logits = build("sparse_categorical_crossentropy")(logits, y)
    probs = torch.softmax(logits, -1)
    fn = build("sparse_categorical_crossentropy", SOFTMAX_PROBS)
    assert not fn.logits
    torch.testing.assert_close(fn(probs, y), on_logits, rtol=1e-5, atol=1e-5)


def test_linear_output_is_treated_as_logits(logits):
    fn = build("categorical_crossentropy", {"shape": [4], "activation": "linear", "logits": False})
    assert fn.logits


def test_binary_on_logits_and_probabilities():
    z = torch.tensor([[2.0], [-1.0], [0.5]])
    y = torch.tensor([1.0, 0.0, 0.0])
    sig = {"shape": [1], "activation": "sigmoid"}
    a = build("binary_crossentropy", {**sig, "logits": True})(z, y)
    torch.testing.assert_close(a, F.binary_cross_entropy_with_logits(z, y[:, None]))
    b = build("binary_crossentropy", {**sig, "logits": False})(torch.sigmoid(z), y)
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_huber_uses_delta():
    out, y = torch.tensor([[0.0, 3.0]]), torch.tensor([[0.0, 0.0]])
    reg = {"shape": [2], "activation": "linear", "logits": False}
    # delta 1: 0 and 1·(3 - 0.5) → mean 1.25; delta 2: 2·(3 - 1) = 4 → mean 2.
    assert build("huber", reg, delta=1.0)(out, y).item() == pytest.approx(1.25)
    assert build("huber", reg, delta=2.0)(out, y).item() == pytest.approx(2.0)


def test_hinge_cosine_kl_values():
    reg = {"shape": [2], "activation": "linear", "logits": False}
    out = torch.tensor([[0.5, -2.0]])
    assert build("hinge", reg)(out, torch.tensor([[1.0, -1.0]])).item() == pytest.approx(0.25)
    v = torch.tensor([[1.0, 2.0]])
    assert build("cosine_similarity", reg)(v, 3 * v).item() == pytest.approx(-1.0)
    p = torch.tensor([[0.2, 0.8]])
    kl = build("kl_divergence", {"shape": [2], "activation": "softmax", "logits": False})
    assert kl(p, p).item() == pytest.approx(0.0, abs=1e-6)
    q = torch.tensor([[0.5, 0.5]])
    want = 0.2 * math.log(0.2 / 0.5) + 0.8 * math.log(0.8 / 0.5)
    assert kl(q, p).item() == pytest.approx(want, rel=1e-5)


def test_sequence_outputs():
    out = torch.randn(2, 5, 7)
    y = torch.randint(0, 7, (2, 5))
    spec_out = {"shape": [None, 7], "activation": "softmax", "logits": True}
    got = build("sparse_categorical_crossentropy", spec_out)(out, y)
    torch.testing.assert_close(got, F.cross_entropy(out.reshape(-1, 7), y.reshape(-1)))


def test_to_probabilities_applies_the_output_activation(logits):
    spec = make_spec(output=SOFTMAX_LOGITS)
    torch.testing.assert_close(losses.to_probabilities(logits, spec), torch.softmax(logits, -1))
    probs_spec = make_spec(output=SOFTMAX_PROBS)
    assert losses.to_probabilities(logits, probs_spec) is logits
