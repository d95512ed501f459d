"""The training loop: learning, accumulation, clipping, early stopping, resume."""
import json

import numpy as np
import pytest
import torch

from conftest import (CNN, MLP, Regressor, TokenModel, cnn_spec, make_spec, mlp_spec,
                      regression_spec, token_spec)
from rules_neural import checkpoint, data, train
from rules_neural.errors import TrainingError, UsageError


def fit(model_cls, spec, size=256, out=None, model=None, **config):
    config.setdefault("quiet", True)
    config.setdefault("export", False)
    cfg = train.Config.from_spec(spec, out_dir=out, **config)
    model = model or train.build_model(model_cls, cfg.seed)
    d = data.load(spec, "synthetic", synthetic_size=size, seed=cfg.seed,
                  validation_split=cfg.validation_split,
                  vocab_sizes=train.vocab_sizes(model, spec))
    trainer = train.Trainer(model, spec, cfg, d)
    return trainer, trainer.fit()


@pytest.mark.parametrize("model_cls,spec", [(MLP, mlp_spec()), (CNN, cnn_spec()),
                                            (TokenModel, token_spec()),
                                            (Regressor, regression_spec())])
def test_loss_decreases_on_synthetic_data(model_cls, spec):
    _, result = fit(model_cls, spec, size=256, epochs=3)
    losses = [h["loss"] for h in result.history]
    val = [h["val_loss"] for h in result.history]
    assert losses[-1] < losses[0] and val[-1] < val[0]
    assert set(result.test) >= {"loss"} and np.isfinite(result.test["loss"])


def test_same_seed_same_weights_and_global_rng_untouched():
    a = train.build_model(MLP, 3)
    b = train.build_model(MLP, 3)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    spec = mlp_spec()
    state = torch.get_rng_state()
    d = data.load(spec, "synthetic", synthetic_size=64)
    train.Trainer(b, spec, train.Config.from_spec(spec, quiet=True), d)
    assert torch.equal(state, torch.get_rng_state())


def _manual_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    split = data.Split({"features": rng.standard_normal((n, 20)).astype(np.float32)},
                       rng.integers(0, 3, n))
    small = split.take(np.arange(8))
    return data.Data("manual", "manual", split, small, small)


def _weights_after(batch_size, accumulate, d):
    spec = make_spec(optimizer="SGD", optimizer_args={"learning_rate": 0.5},
                     train={"shuffle": False, "gradient_accumulation_steps": accumulate})
    model = train.build_model(MLP, 0)
    cfg = train.Config.from_spec(spec, epochs=1, batch_size=batch_size, quiet=True, export=False)
    train.Trainer(model, spec, cfg, d).fit()
    return [p.detach().clone() for p in model.parameters()]


def test_gradient_accumulation_matches_one_big_batch():
    d = _manual_data(32)
    big = _weights_after(16, 1, d)        # 2 steps of 16
    acc = _weights_after(8, 2, d)         # 2 steps of 2×8
    small = _weights_after(8, 1, d)       # 4 steps of 8: different
    for a, b in zip(big, acc):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert any(not torch.allclose(a, c, atol=1e-4) for a, c in zip(big, small))


def test_uneven_last_group_is_weighted_by_samples():
    assert train._group_weights(20, 8, 2) == [0.5, 0.5, 1.0]
    assert train._group_weights(10, 4, 2) == [0.5, 0.5, 1.0]
    assert train._group_weights(9, 4, 3) == [4 / 9, 4 / 9, 1 / 9]


def test_schedule_steps_per_optimizer_step():
    schedule = {"schedule": "StepDecay",
                "args": {"initial_learning_rate": 0.1, "step_size": 1, "gamma": 0.5}}
    spec = make_spec(optimizer="SGD", optimizer_args={"learning_rate": schedule},
                     train={"gradient_accumulation_steps": 2})
    trainer, result = fit(MLP, spec, size=80, epochs=1, batch_size=16, validation_split=0.2)
    # 64 training samples, batches of 16 → 4 batches → 2 optimizer steps.
    assert result.steps == 2 and trainer.setup.lr == pytest.approx(0.1 * 0.5 ** 2)


def test_global_gradient_clip():
    spec = make_spec(optimizer="SGD", optimizer_args={"learning_rate": 1.0},
                     train={"gradient_clip": 0.01, "shuffle": False})
    model = train.build_model(MLP, 0)
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    fit(MLP, spec, model=model, max_steps=1)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert (after - before).norm().item() <= 0.01 + 1e-6


def test_early_stopping_restores_best_weights(tmp_path):
    spec = mlp_spec(train={"early_stopping": {"patience": 2, "monitor": "val_loss",
                                              "min_delta": 100.0}})
    trainer, result = fit(MLP, spec, size=128, epochs=10, out=tmp_path)
    assert result.stopped_early and result.best_epoch == 1
    assert len(result.history) == 3  # the best epoch + patience epochs without improvement
    for k, v in trainer.model.state_dict().items():
        assert torch.equal(v, trainer.early.best_weights[k])
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["stopped_early"] and doc["best_epoch"] == 1


def test_early_stopping_on_accuracy_maximises():
    es = train.EarlyStopping("val_accuracy", patience=1)
    model = torch.nn.Linear(1, 1)
    assert not es.update(1, {"val_accuracy": 0.5}, model)
    assert not es.update(2, {"val_accuracy": 0.7}, model)
    assert es.update(3, {"val_accuracy": 0.6}, model)
    assert es.best_epoch == 2
    es2 = train.EarlyStopping("accuracy", patience=1)  # finds val_accuracy
    es2.update(1, {"val_accuracy": 0.1, "accuracy": 0.9}, model)
    assert es2.best == 0.9


def test_max_steps_and_metrics_json(tmp_path):
    spec = mlp_spec(metrics=["accuracy", "f1"])
    _, result = fit(MLP, spec, size=256, epochs=5, batch_size=16, max_steps=3, out=tmp_path)
    assert result.steps == 3 and len(result.history) == 1
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["status"] == "completed" and doc["model"] == "TinyMLP"
    assert doc["history"][0]["epoch"] == 1 and "val_accuracy" in doc["history"][0]
    assert "val_f1" in doc["history"][0] and doc["history"][0]["steps"] == 3
    assert set(doc["test"]) == {"loss", "accuracy", "f1"}
    assert doc["data"] == {"name": "synthetic", "source": "synthetic(size=256, seed=0)",
                           "train": 205, "validation": 51, "test": 64}
    assert doc["timings"]["train_samples"] == 48
    assert doc["timings"]["train_samples_per_second"] > 0
    assert doc["environment"]["torch"] == torch.__version__
    assert doc["environment"]["torch_threads"] == 1
    assert doc["config"]["optimizer"] == "Adam" and doc["config"]["loss"] == \
        "sparse_categorical_crossentropy"
    ck = checkpoint.load(tmp_path / "checkpoint.pt")
    assert ck["finished"] and ck["global_step"] == 3


def test_resume_continues_exactly(tmp_path):
    spec = make_spec(metrics=["accuracy"])

    def dropout():  # dropout makes the RNG state matter
        return MLP(dropout=0.3)

    fit(dropout, spec, epochs=3, out=tmp_path / "straight")
    fit(dropout, spec, epochs=1, out=tmp_path / "resumed")
    trainer, result = fit(dropout, spec, epochs=3, out=tmp_path / "resumed", resume=True)
    assert [h["epoch"] for h in result.history] == [1, 2, 3]
    a = checkpoint.load(tmp_path / "straight" / "checkpoint.pt")["model"]
    b = checkpoint.load(tmp_path / "resumed" / "checkpoint.pt")["model"]
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)


def test_resume_without_checkpoint(tmp_path):
    with pytest.raises(Exception, match="no checkpoint to resume from"):
        fit(MLP, mlp_spec(), out=tmp_path, resume=True)


class Diverging(MLP):
    """Returns NaN from the 5th training forward pass on."""

    calls = 0

    def forward(self, features):
        out = super().forward(features)
        if self.training:
            Diverging.calls += 1
            if Diverging.calls >= 5:
                return out * float("nan")
        return out


def test_nan_loss_stops_with_a_clear_error_and_keeps_the_last_checkpoint(tmp_path):
    Diverging.calls = 0
    spec = mlp_spec()
    with pytest.raises(TrainingError) as e:
        # 3 batches per epoch: epoch 1 completes, epoch 2 diverges at its 2nd step.
        fit(Diverging, spec, size=120, epochs=3, batch_size=32, validation_split=0.2,
            out=tmp_path)
    msg = str(e.value)
    assert "the loss became NaN at epoch 2, step 2/3" in msg and "lower the learning rate" in msg
    ck = checkpoint.load(tmp_path / "checkpoint.pt")
    assert ck["epoch"] == 1 and not ck["finished"]
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["status"] == "failed" and "NaN" in doc["error"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_bf16_autocast_on_cpu():
    spec = mlp_spec(execution={"device": "cpu", "precision": "bf16"})
    trainer, result = fit(MLP, spec, size=128, epochs=2)
    assert trainer.precision.dtype == torch.bfloat16
    assert np.isfinite(result.history[-1]["loss"])
    assert result.history[-1]["loss"] < result.history[0]["loss"]


def test_fp16_on_cpu_falls_back_to_bf16():
    trainer, _ = fit(MLP, mlp_spec(), size=64, precision="fp16", max_steps=1)
    assert trainer.precision.dtype == torch.bfloat16 and "needs CUDA" in trainer.precision.note


def test_bad_devices():
    from rules_neural import devices

    assert devices.resolve("cpu").type == "cpu"
    assert devices.resolve(None).type in ("cpu", "cuda")
    with pytest.raises(UsageError, match="unknown device 'gpu0'"):
        devices.resolve("gpu0")
    with pytest.raises(UsageError, match="cannot run on TPU"):
        devices.resolve("tpu:0")
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match="CUDA is not available"):
            devices.resolve("cuda:1")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_cuda_training(precision):
    trainer, result = fit(CNN, cnn_spec(), size=256, epochs=2, device="cuda",
                          precision=precision)
    assert trainer.device.type == "cuda"
    assert result.history[-1]["loss"] < result.history[0]["loss"]


class DropoutCNN(CNN):
    """The tiny CNN with dropout, so the global RNG's use matters."""

    def __init__(self):
        super().__init__()
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, image):
        x = self.pool(torch.relu(self.conv2d(image)))
        return self.output(self.drop(torch.flatten(x, 1)))


def test_same_losses_as_a_hand_written_loop():
    """What bench/native relies on: same seed → same weights and step losses."""
    seed, steps, bs = 7, 10, 16
    gen = torch.Generator().manual_seed(123)
    images = torch.rand(steps * bs, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (steps * bs,), generator=gen)

    torch.manual_seed(seed)  # the hand-written way
    model = DropoutCNN()
    opt = torch.optim.Adam(model.parameters(), lr=0.003, betas=(0.9, 0.999), eps=1e-7)
    want = []
    for s in range(steps):
        opt.zero_grad()
        loss = torch.nn.CrossEntropyLoss()(model(images[s * bs:(s + 1) * bs]),
                                           labels[s * bs:(s + 1) * bs])
        loss.backward()
        opt.step()
        want.append(loss.item())

    spec = cnn_spec(train={"shuffle": False, "seed": seed})
    split = data.Split({"image": images.numpy()}, labels.numpy())
    d = data.Data("tensors", "tensors", split, split.take(np.arange(2)), split.take(np.arange(2)))
    got = []
    cfg = train.Config.from_spec(spec, epochs=1, batch_size=bs, quiet=True, export=False)
    trainer = train.Trainer(train.build_model(DropoutCNN, seed), spec, cfg, d,
                            on_batch=lambda epoch, step, value: got.append(value))
    trainer.fit()
    assert len(got) == steps
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


class RegularizedMLP(MLP):
    """MLP with an l2 kernel penalty, as generated for kernel_regularizer=l2(…)."""

    def __init__(self, strength=0.5):
        super().__init__()
        self.strength = strength

    def regularization_loss(self):
        return sum(self.strength * (p ** 2).sum()
                   for n, p in self.named_parameters() if "weight" in n)


def test_regularization_penalty_is_added_to_the_training_loss():
    spec = mlp_spec()
    _, plain = fit(MLP, spec, size=64, epochs=1)
    _, penalised = fit(RegularizedMLP, spec, size=64, epochs=1)
    # Same seed, same data: the only difference is the penalty in the loss.
    assert penalised.history[0]["loss"] > plain.history[0]["loss"] + 0.1
    # The penalty shrinks the weights below their initial size.
    model = train.build_model(RegularizedMLP, 0)
    fit(RegularizedMLP, spec, size=64, epochs=3, model=model)

    def weight_norm(m):
        return sum(float((p ** 2).sum()) for n, p in m.named_parameters() if "weight" in n)

    assert weight_norm(model) < weight_norm(train.build_model(MLP, 0))
