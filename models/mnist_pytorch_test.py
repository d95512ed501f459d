"""The MNIST model as Bazel builds it: importable, trainable, runnable."""
import json
import math
import os
import tempfile
import unittest

import torch

import mnist_pytorch as generated


class GeneratedMNISTTest(unittest.TestCase):
    def test_forward_shape_and_parameters(self):
        torch.manual_seed(0)
        model = generated.MNISTClassifier()
        x = torch.randn(3, 1, 28, 28)
        self.assertEqual(tuple(model(x).shape), (3, 10))
        probs = model.predict(x)
        self.assertTrue(torch.allclose(probs.sum(dim=-1), torch.ones(3)))
        # Keras' count for the model (docs/benchmarks.md): 693,962.
        self.assertEqual(sum(p.numel() for p in model.parameters()), 693962)

    def test_training_entry_point_on_synthetic_data(self):
        out = os.path.join(os.environ.get("TEST_TMPDIR", tempfile.mkdtemp()), "run")
        code = generated.main([
            "--dataset", "synthetic", "--synthetic-size", "256", "--epochs", "1",
            "--batch-size", "32", "--quiet", "--no-export", "--out", out,
        ])
        self.assertEqual(code, 0)
        with open(os.path.join(out, "metrics.json")) as f:
            metrics = json.load(f)
        text = json.dumps(metrics)
        self.assertIn("loss", text)
        self.assertTrue(os.path.exists(os.path.join(out, "checkpoint.pt")))
        for value in _numbers(metrics):
            self.assertTrue(math.isfinite(value), text)


def _numbers(value):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)


if __name__ == "__main__":
    unittest.main()
