"""Evaluation metrics of LANGUAGE.md §7, accumulated over a whole split.

Metrics are exact over the split (not averages of batch values): counts are
accumulated on the device batch by batch, and only AUC keeps the scores,
computed with numpy at the end. ``accuracy`` follows Keras' resolution:
class-index accuracy for sparse cross-entropy, argmax agreement for one-hot
or distribution targets and other multi-output models, thresholded at 0.5
(0 for hinge) for binary outputs. ``precision``, ``recall`` and ``f1`` are
for the positive class of a binary output and macro-averaged over the
classes that occur (in targets or predictions) otherwise; ``auc`` is the ROC
AUC, macro one-vs-rest for several classes. ``mse``/``mae`` compare the
prediction (after the output activation) with the target (one-hot for class
labels). Any loss name is the mean of that loss over the split.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional

import numpy as np
import torch

from . import losses as loss_fns
from . import spec as specs
from .errors import UserError


def metric_key(name: str, args: Mapping[str, Any]) -> str:
    """The name a metric is reported under (``top_5_accuracy`` for k=5)."""
    if name == "top_k_accuracy":
        return f"top_{int(args.get('k', 5))}_accuracy"
    return name


def rank_average(x: np.ndarray) -> np.ndarray:
    """1-based ranks of ``x``, ties sharing their average rank."""
    order = np.argsort(x, kind="mergesort")
    _, inverse, counts = np.unique(x[order], return_inverse=True, return_counts=True)
    average = np.cumsum(counts) - (counts - 1) / 2.0
    ranks = np.empty(len(x), dtype=np.float64)
    ranks[order] = average[inverse]
    return ranks


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Binary ROC AUC (Mann–Whitney U); NaN when only one class is present."""
    labels = np.asarray(labels).astype(bool).reshape(-1)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rank_average(scores)
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def macro_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """One-vs-rest ROC AUC averaged over the classes with both outcomes."""
    values = [roc_auc(scores[:, c], labels == c) for c in range(scores.shape[1])]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


class MetricSet:
    """Accumulates the loss and the SPEC's metrics over batches of a split."""

    def __init__(self, spec: Mapping[str, Any], loss: Optional[loss_fns.Loss] = None,
                 requested: Optional[list] = None):
        self.spec = spec
        self.loss = loss or loss_fns.build(spec)
        self.requested = specs.metrics(spec) if requested is None else requested
        self.kind = specs.target_kind(spec)
        self.classes = specs.num_classes(spec)
        multi = self.classes > 1
        # Keras: categorical-style accuracy for several outputs, binary for one.
        self.view = ("classes" if self.kind in ("class", "onehot", "distribution") or
                     (multi and self.kind in ("signed", "real")) else "binary")
        self.threshold = 0.0 if self.kind == "signed" else 0.5
        self.extra_losses = {}
        for name, args in self.requested:
            if name in specs.LOSSES and name not in ("mse", "mae") and name != self.loss.name:
                self.extra_losses[name] = loss_fns.Loss(name, args, spec)
            if name == "top_k_accuracy" and self.view != "classes":
                raise UserError("top_k_accuracy needs a model with several output classes")
        self.reset()

    def reset(self) -> None:
        self.count = 0          # samples
        self.loss_sum = 0.0
        self.sums: dict[str, torch.Tensor] = {}
        self.elements: dict[str, int] = {}
        self.tp = self.pred_count = self.true_count = None
        self.auc_scores: list = []
        self.auc_labels: list = []

    def _add(self, key: str, value: torch.Tensor, elements: int) -> None:
        value = value.detach().double()
        self.sums[key] = self.sums[key] + value if key in self.sums else value
        self.elements[key] = self.elements.get(key, 0) + elements

    def _names(self) -> set:
        return {name for name, _ in self.requested}

    @torch.no_grad()
    def update(self, output: torch.Tensor, target: torch.Tensor,
               loss: Optional[torch.Tensor] = None) -> None:
        output = output.detach().float()
        n = output.shape[0]
        if loss is None:
            loss = self.loss(output, target)
        self.loss_sum += float(loss) * n
        self.count += n
        names = self._names()
        for name, fn in self.extra_losses.items():
            self._add(name, fn(output, target) * n, n)
        probs = loss_fns.to_probabilities(output, self.spec)
        if names & {"mse", "mae"}:
            dense = target
            if self.kind == "class":
                dense = torch.nn.functional.one_hot(target.long(), self.classes)
            diff = probs - dense.float().reshape(probs.shape)
            self._add("mse", (diff * diff).sum(), diff.numel())
            self._add("mae", diff.abs().sum(), diff.numel())
        if not names & {"accuracy", "top_k_accuracy", "precision", "recall", "f1", "auc"}:
            return
        if self.view == "classes":
            scores = probs.reshape(-1, self.classes)
            if self.kind == "class":
                labels = target.reshape(-1).long()
            else:
                labels = target.reshape(-1, self.classes).argmax(-1)
            preds = scores.argmax(-1)
            self._add("accuracy", (preds == labels).sum(), labels.numel())
            for name, args in self.requested:
                if name == "top_k_accuracy":
                    k = min(int(args.get("k", 5)), self.classes)
                    top = scores.topk(k, dim=-1).indices
                    self._add(metric_key(name, args), (top == labels[:, None]).any(-1).sum(),
                              labels.numel())
            if names & {"precision", "recall", "f1"}:
                c = self.classes
                tp = torch.bincount(labels[preds == labels], minlength=c)
                pc = torch.bincount(preds, minlength=c)
                tc = torch.bincount(labels, minlength=c)
                if self.tp is None:
                    self.tp, self.pred_count, self.true_count = tp, pc, tc
                else:
                    self.tp, self.pred_count, self.true_count = (
                        self.tp + tp, self.pred_count + pc, self.true_count + tc)
        else:
            scores = (output if self.kind == "signed" else probs).reshape(-1)
            labels = (target.float().reshape(-1) > self.threshold).long()
            preds = (scores > self.threshold).long()
            self._add("accuracy", (preds == labels).sum(), labels.numel())
            if names & {"precision", "recall", "f1"}:
                tp = ((preds == 1) & (labels == 1)).sum().reshape(1)
                pc, tc = preds.sum().reshape(1), labels.sum().reshape(1)
                if self.tp is None:
                    self.tp, self.pred_count, self.true_count = tp, pc, tc
                else:
                    self.tp, self.pred_count, self.true_count = (
                        self.tp + tp, self.pred_count + pc, self.true_count + tc)
        if "auc" in names:
            self.auc_scores.append(scores.cpu().numpy().astype(np.float64))
            self.auc_labels.append(labels.cpu().numpy())

    def _precision_recall_f1(self) -> tuple[float, float, float]:
        tp = self.tp.double().cpu().numpy()
        pc = self.pred_count.double().cpu().numpy()
        tc = self.true_count.double().cpu().numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(pc > 0, tp / pc, 0.0)
            recall = np.where(tc > 0, tp / tc, 0.0)
            f1 = np.where(precision + recall > 0,
                          2 * precision * recall / (precision + recall), 0.0)
        present = (pc > 0) | (tc > 0)
        if not present.any():
            return 0.0, 0.0, 0.0
        return (float(precision[present].mean()), float(recall[present].mean()),
                float(f1[present].mean()))

    def result(self) -> dict:
        """``{"loss": …, <metric key>: …}``; NaN where a metric is undefined."""
        if self.count == 0:
            return {}
        out = {"loss": self.loss_sum / self.count}

        def mean(key: str) -> float:
            return float(self.sums[key]) / max(1, self.elements[key])

        for name, args in self.requested:
            key = metric_key(name, args)
            if name == "loss" or name == self.loss.name:
                out[key] = out["loss"]
            elif name in self.extra_losses:
                out[key] = mean(name)
            elif name in ("mse", "mae", "accuracy", "top_k_accuracy"):
                out[key] = mean(key)
            elif name in ("precision", "recall", "f1"):
                p, r, f = self._precision_recall_f1()
                out[key] = {"precision": p, "recall": r, "f1": f}[name]
            elif name == "auc":
                scores = np.concatenate(self.auc_scores)
                labels = np.concatenate(self.auc_labels)
                out[key] = (macro_auc(scores.reshape(len(labels), -1), labels)
                            if self.view == "classes" else roc_auc(scores, labels))
        return out

    def is_better_high(self, key: str) -> bool:
        """Whether a larger value of metric ``key`` is better."""
        base = key[4:] if key.startswith("val_") else key
        return base.endswith("accuracy") or base in ("precision", "recall", "f1", "auc")
