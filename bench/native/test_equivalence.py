"""The generated MNIST module and the hand-written baseline are the same model.

With the same seed they get identical initial weights, and trained on the
same batches — the generated one through the runtime's optimizer and loss
built from its SPEC, the native one with plain torch — their first 10 losses
agree within 1e-5. Benchmarks of the two therefore compare like with like.
"""
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "runtime" / "python"), str(Path(__file__).parent)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    neuralgen = os.environ.get("NEURALGEN", str(ROOT / "bin" / "neuralgen"))
    if not Path(neuralgen).exists():
        pytest.skip("bin/neuralgen not built (run tools/setup.sh)")
    subprocess.run([neuralgen, "compile", "--backend", "pytorch", "-o", str(out),
                    str(ROOT / "models" / "mnist.neural")], check=True)
    sys.path.insert(0, str(out))
    return importlib.import_module("mnist_classifier")


def test_same_initial_weights(generated):
    native = importlib.import_module("mnist_pytorch")
    torch.manual_seed(0)
    gen_model = generated.MNISTClassifier()
    torch.manual_seed(0)
    nat_model = native.MNISTNative()
    gen_params = [p.detach() for p in gen_model.parameters()]
    nat_params = [p.detach() for p in nat_model.parameters()]
    assert [p.shape for p in gen_params] == [p.shape for p in nat_params]
    for a, b in zip(gen_params, nat_params):
        assert torch.equal(a, b)


def test_same_first_losses(generated):
    from rules_neural import losses, optim

    native = importlib.import_module("mnist_pytorch")
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(640, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (640,), generator=gen)

    torch.manual_seed(0)
    model = generated.MNISTClassifier()
    setup = optim.build(model.parameters(), generated.SPEC)
    loss_fn = losses.build(generated.SPEC)
    model.train()
    torch.manual_seed(5)  # dropout masks
    gen_losses = []
    for step in range(10):
        x, y = images[step * 64:(step + 1) * 64], labels[step * 64:(step + 1) * 64]
        setup.optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        setup.optimizer.step()
        gen_losses.append(loss.item())

    torch.manual_seed(0)
    nat_model = native.MNISTNative()
    torch.manual_seed(5)
    nat_losses = native.train_steps(nat_model, images, labels, 10, 64)

    assert len(gen_losses) == 10
    for step, (a, b) in enumerate(zip(gen_losses, nat_losses)):
        assert abs(a - b) < 1e-5, f"step {step}: generated {a} vs native {b}"
