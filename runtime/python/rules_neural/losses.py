"""Loss functions of LANGUAGE.md §7 with Keras semantics on PyTorch.

Cross-entropy losses are computed on logits whenever the module's forward()
returns logits (SPEC ``output.logits``) or has no output activation: the
numerically stable path (``CrossEntropyLoss``, soft-target cross-entropy,
``BCEWithLogitsLoss``). Outputs that already are probabilities are clipped
to [eps, 1 - eps] first, as Keras does. Every loss returns the mean over
the batch (and over positions for sequence outputs).
"""
from __future__ import annotations

from typing import Any, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from . import spec as specs

EPSILON = 1e-7  # Keras' backend epsilon, used to clip probabilities


def scores_are_logits(loss_name: str, spec: Mapping[str, Any]) -> bool:
    """Whether the module output is treated as logits for this loss."""
    if specs.output_is_logits(spec):
        return True
    return (loss_name in specs.CROSS_ENTROPY_LOSSES
            and specs.output_activation(spec) in ("linear", "none"))


def to_probabilities(output: torch.Tensor, spec: Mapping[str, Any]) -> torch.Tensor:
    """The module output as the model's prediction (what predict() returns).

    Applies the output activation when forward() returns logits, and the
    matching squashing function when a cross-entropy loss treats a linear
    output as logits; leaves any other output unchanged.
    """
    name, _ = specs.loss(spec)
    if not scores_are_logits(name, spec):
        return output
    act = specs.output_activation(spec)
    if act == "sigmoid" or (act in ("linear", "none") and name == "binary_crossentropy"):
        return torch.sigmoid(output)
    if act in ("softmax", "linear", "none"):
        return torch.softmax(output, dim=-1)
    if act == "log_softmax":
        return torch.exp(output)
    return output


class Loss(nn.Module):
    """The SPEC's loss as a module: ``loss(output, target) -> scalar``."""

    def __init__(self, name: str, args: Mapping[str, Any], spec: Mapping[str, Any]):
        super().__init__()
        self.name = specs.canonical_loss(name)
        self.args = dict(args)
        self.spec = spec
        self.logits = scores_are_logits(self.name, spec)
        self.activation = specs.output_activation(spec)
        self.delta = float(self.args.get("delta", 1.0))

    def extra_repr(self) -> str:
        return f"{self.name}, logits={self.logits}"

    def _log_probs(self, output: torch.Tensor) -> torch.Tensor:
        if self.logits and self.activation != "log_softmax":
            return F.log_softmax(output, dim=-1)
        if self.activation == "log_softmax":
            return output
        p = output / output.sum(dim=-1, keepdim=True).clamp_min(EPSILON)
        return torch.log(p.clamp(EPSILON, 1.0 - EPSILON))

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        output = output.float()
        name = self.name
        if name == "sparse_categorical_crossentropy":
            classes = output.shape[-1]
            flat, labels = output.reshape(-1, classes), target.reshape(-1).long()
            if self.logits and self.activation != "log_softmax":
                return F.cross_entropy(flat, labels)
            return F.nll_loss(self._log_probs(flat), labels)
        target = target.float()
        if name == "categorical_crossentropy":
            target = target.reshape(output.shape)
            return -(target * self._log_probs(output)).sum(dim=-1).mean()
        if name == "binary_crossentropy":
            target = target.reshape(output.shape)
            if self.logits:
                return F.binary_cross_entropy_with_logits(output, target)
            p = output.clamp(EPSILON, 1.0 - EPSILON)
            return -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
        target = target.reshape(output.shape)
        if name == "mse":
            return F.mse_loss(output, target)
        if name == "mae":
            return F.l1_loss(output, target)
        if name == "huber":
            return F.huber_loss(output, target, delta=self.delta)
        if name == "kl_divergence":
            p = to_probabilities(output, self.spec) if self.logits else output
            t = target.clamp(EPSILON, 1.0)
            return (t * torch.log(t / p.clamp(EPSILON, 1.0))).sum(dim=-1).mean()
        if name == "hinge":
            return torch.clamp(1.0 - target * output, min=0.0).mean()
        if name == "cosine_similarity":
            return -F.cosine_similarity(output, target, dim=-1, eps=1e-12).mean()
        raise AssertionError(f"unhandled loss {name}")


def build(spec: Mapping[str, Any]) -> Loss:
    name, args = specs.loss(spec)
    return Loss(name, args, spec)
