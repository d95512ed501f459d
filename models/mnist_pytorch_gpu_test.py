"""The MNIST model on a GPU: CUDA placement and bf16 autocast train it."""
import json
import math
import os
import tempfile
import unittest

import torch

import mnist_pytorch as generated


@unittest.skipUnless(torch.cuda.is_available() or os.environ.get("RULES_NEURAL_REQUIRE_GPU"),
                     "no CUDA device")
class GeneratedMNISTOnGPU(unittest.TestCase):
    def test_cuda_bf16_training(self):
        self.assertTrue(torch.cuda.is_available(),
                        "RULES_NEURAL_REQUIRE_GPU is set but CUDA is not available")
        out = os.path.join(os.environ.get("TEST_TMPDIR", tempfile.mkdtemp()), "gpu")
        code = generated.main([
            "--dataset", "synthetic", "--synthetic-size", "512", "--epochs", "2",
            "--batch-size", "64", "--device", "cuda", "--precision", "bf16",
            "--quiet", "--no-export", "--out", out,
        ])
        self.assertEqual(code, 0)
        with open(os.path.join(out, "metrics.json")) as f:
            metrics = json.load(f)
        self.assertTrue(metrics["config"]["device"].startswith("cuda"), metrics["config"])
        self.assertEqual(metrics["config"]["precision"], "bf16")
        losses = [epoch["loss"] for epoch in metrics["history"]]
        self.assertEqual(len(losses), 2)
        self.assertTrue(all(math.isfinite(v) for v in losses), losses)
        self.assertLess(losses[-1], losses[0])

    def test_forward_on_cuda_matches_cpu(self):
        torch.manual_seed(0)
        model = generated.MNISTClassifier().eval()
        x = torch.randn(4, 1, 28, 28)
        expected = model(x)
        got = model.cuda()(x.cuda()).cpu()
        self.assertTrue(torch.allclose(got, expected, atol=1e-4), (got - expected).abs().max())


if __name__ == "__main__":
    unittest.main()
