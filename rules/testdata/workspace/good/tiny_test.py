import unittest

import torch

import tiny_pytorch


class TinyTest(unittest.TestCase):
    def test_forward(self):
        model = tiny_pytorch.TinyNet()
        self.assertEqual(tuple(model(torch.zeros(2, 16)).shape), (2, 3))
        # Dense 16*32+32, residual Dense 32*32+32, Output 32*3+3.
        self.assertEqual(sum(p.numel() for p in model.parameters()), 544 + 1056 + 99)


if __name__ == "__main__":
    unittest.main()
