"""Optimizers with Keras argument mapping, clipping, decay and LR schedules."""
import math

import pytest
import torch

from conftest import make_spec
from rules_neural import optim
from rules_neural.errors import UserError


def setup_for(name, params=None, **args):
    params = params if params is not None else [torch.nn.Parameter(torch.tensor([1.0, -2.0]))]
    return optim.build(params, make_spec(optimizer=name, optimizer_args=args))


@pytest.mark.parametrize("name", optim.OPTIMIZERS)
def test_every_optimizer_builds_and_minimises(name):
    w = torch.nn.Parameter(torch.tensor([2.0, -3.0]))
    lr = 1.0 if name == "Adadelta" else 0.1
    s = setup_for(name, [w], learning_rate=lr)
    start = (w ** 2).sum().item()
    for _ in range(20):
        s.optimizer.zero_grad()
        (w ** 2).sum().backward()
        s.clip_gradients()
        s.apply_weight_decay()
        s.optimizer.step()
        s.scheduler.step()
    assert (w ** 2).sum().item() < start


def test_keras_defaults_and_mapping():
    adam = setup_for("adam").optimizer  # the bare/string form: Adam with its defaults
    g = adam.param_groups[0]
    assert type(adam) is torch.optim.Adam
    assert g["lr"] == 0.001 and g["betas"] == (0.9, 0.999) and g["eps"] == 1e-7
    rms = setup_for("RMSprop", rho=0.8).optimizer.param_groups[0]
    assert rms["alpha"] == 0.8 and rms["eps"] == 1e-7 and rms["lr"] == 0.001
    ada = setup_for("Adagrad").optimizer
    assert ada.param_groups[0]["initial_accumulator_value"] == 0.1
    assert ada.state[ada.param_groups[0]["params"][0]]["sum"][0].item() == pytest.approx(0.1)
    dl = setup_for("Adadelta").optimizer.param_groups[0]
    assert dl["lr"] == 0.001 and dl["rho"] == 0.95 and dl["eps"] == 1e-7
    adamw = setup_for("AdamW", beta_1=0.8, beta_2=0.99).optimizer
    assert type(adamw) is torch.optim.AdamW
    assert adamw.param_groups[0]["weight_decay"] == 0.01
    assert adamw.param_groups[0]["betas"] == (0.8, 0.99)
    sgd = setup_for("SGD", momentum=0.9, nesterov=True, lr=0.5).optimizer.param_groups[0]
    assert sgd["lr"] == 0.5 and sgd["momentum"] == 0.9 and sgd["nesterov"]
    assert type(setup_for("Nadam").optimizer) is torch.optim.NAdam


def test_adam_weight_decay_is_decoupled():
    s = setup_for("Adam", weight_decay=0.1)
    assert type(s.optimizer) is torch.optim.AdamW
    assert s.optimizer.param_groups[0]["weight_decay"] == 0.1


def test_adamax_decoupled_weight_decay():
    w = torch.nn.Parameter(torch.tensor([1.0]))
    s = setup_for("Adamax", [w], learning_rate=0.1, weight_decay=0.5)
    w.grad = torch.zeros(1)
    s.apply_weight_decay()
    s.optimizer.step()
    assert w.item() == pytest.approx(1.0 - 0.1 * 0.5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="SGD has no argument 'beta_1'"):
        setup_for("SGD", beta_1=0.9)
    with pytest.raises(ValueError, match="unknown optimizer"):
        setup_for("Lion")
    with pytest.raises(UserError, match="nesterov=true\\) needs a momentum"):
        setup_for("SGD", nesterov=True)


def test_clipvalue_and_clipnorm():
    a = torch.nn.Parameter(torch.zeros(2))
    b = torch.nn.Parameter(torch.zeros(1))
    s = setup_for("SGD", [a, b], clipvalue=0.5)
    a.grad, b.grad = torch.tensor([3.0, -0.2]), torch.tensor([-4.0])
    s.clip_gradients()
    assert a.grad.tolist() == pytest.approx([0.5, -0.2]) and b.grad.item() == -0.5
    s = setup_for("SGD", [a, b], clipnorm=1.0)
    a.grad, b.grad = torch.tensor([3.0, 4.0]), torch.tensor([0.5])
    s.clip_gradients()  # per parameter, like Keras' clipnorm
    assert a.grad.norm().item() == pytest.approx(1.0, rel=1e-5) and b.grad.item() == 0.5


def lrs(schedule_name, steps, lr_override=None, **args):
    spec = make_spec(optimizer_args={"learning_rate": {"schedule": schedule_name, "args": args}})
    s = optim.build([torch.nn.Parameter(torch.zeros(1))], spec, lr_override)
    out = []
    for _ in range(steps):
        out.append(s.lr)
        s.optimizer.step()
        s.scheduler.step()
    return out


def test_exponential_decay():
    got = lrs("ExponentialDecay", 5, initial_learning_rate=1.0, decay_steps=2, decay_rate=0.5)
    assert got == pytest.approx([1.0, 0.5 ** 0.5, 0.5, 0.5 ** 1.5, 0.25])
    got = lrs("ExponentialDecay", 5, initial_learning_rate=1.0, decay_steps=2, decay_rate=0.5,
              staircase=True)
    assert got == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25])


def test_step_decay_with_old_spellings():
    got = lrs("StepDecay", 7, initial_lr=0.1, decay_steps=3, decay_rate=0.5)
    assert got == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_cosine_decay_with_warmup():
    got = lrs("CosineDecay", 8, initial_learning_rate=1.0, decay_steps=4, alpha=0.1,
              warmup_steps=2)
    cos = [0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t / 4)) for t in range(5)]
    assert got == pytest.approx([0.0, 0.5] + cos + [0.1])


def test_polynomial_decay_and_lr_override():
    got = lrs("PolynomialDecay", 4, initial_learning_rate=1.0, decay_steps=2,
              end_learning_rate=0.0, power=2.0)
    assert got == pytest.approx([1.0, 0.25, 0.0, 0.0])
    got = lrs("PolynomialDecay", 2, lr_override=0.5, initial_learning_rate=1.0, decay_steps=2,
              end_learning_rate=0.0)
    assert got == pytest.approx([0.5, 0.25])


def test_scheduler_state_round_trip():
    spec = make_spec(optimizer_args={"learning_rate": {"schedule": "StepDecay", "args": {
        "initial_learning_rate": 1.0, "step_size": 2, "gamma": 0.5}}})
    p = torch.nn.Parameter(torch.zeros(1))
    s = optim.build([p], spec)
    for _ in range(3):
        s.optimizer.step()
        s.scheduler.step()
    state = s.scheduler.state_dict()
    s2 = optim.build([p], spec)
    s2.scheduler.load_state_dict(state)
    s2.optimizer.step()
    s2.scheduler.step()
    assert s2.lr == pytest.approx(0.25)
