"""Hand-written PyTorch MNIST CNN: the native baseline for benchmarks.

The same model as models/mnist.neural, written the way a PyTorch user would:
Conv2d(1→32, 3×3) + ReLU, 2×2 max-pooling, flatten, Linear(5408→128) + ReLU,
dropout 0.5, Linear(128→10) producing logits, trained with cross-entropy and
Adam(lr=0.001, eps=1e-7). It is the same model as the .neural source, so it
keeps the two choices the source implies: Glorot-uniform kernels with zero
biases (Keras' defaults, which the .neural file inherits) and flattening in
(H, W, C) order (Keras' Flatten on channels-last maps). Layers are created and
initialised in the same order as the generated module, so the same seed gives
the same initial weights; benchmarks then compare like with like.
"""
import argparse
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


class MNISTNative(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, kernel_size=3)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(13 * 13 * 32, 128)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 10)
        for layer in (self.conv, self.fc1, self.fc2):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = self.pool(F.relu(self.conv(x)))
        x = torch.flatten(x.permute(0, 2, 3, 1), 1)
        x = self.drop(F.relu(self.fc1(x)))
        return self.fc2(x)


def train_steps(model, images, labels, steps, batch_size, lr=0.001):
    """Run `steps` Adam steps over the tensors in order; return the losses."""
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    losses = []
    for step in range(steps):
        lo = (step * batch_size) % len(images)
        x, y = images[lo:lo + batch_size], labels[lo:lo + batch_size]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    model = MNISTNative()
    gen = torch.Generator().manual_seed(args.seed + 1)
    images = torch.rand(args.steps * args.batch_size, 1, 28, 28, generator=gen)
    labels = torch.randint(0, 10, (len(images),), generator=gen)
    start = time.perf_counter()
    losses = train_steps(model, images, labels, args.steps, args.batch_size)
    elapsed = time.perf_counter() - start
    print(f"{args.steps} steps in {elapsed:.3f} s "
          f"({args.steps * args.batch_size / elapsed:.0f} samples/s), "
          f"final loss {losses[-1]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
