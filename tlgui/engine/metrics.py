"""Confusion matrix and per-class precision / recall / F1 (plain Python lists out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


@dataclass
class EvalReport:
    split: str
    classes: list[str]
    n: int
    accuracy: float
    loss: float
    confusion_matrix: list[list[int]]  # rows = true class, columns = predicted
    per_class: dict[str, dict[str, float]]
    # Per-sample results (for "top losses"): path, true, predicted, prob of predicted, loss.
    samples: list[dict] = field(default_factory=list)
    # Pictures of the split that could not be read, so are not in ``n``.
    skipped: int = 0
    # The temperature the probabilities were calibrated with (tlgui.engine.calibration), the
    # 15-bin expected calibration error with it and without it (None: not measured), and the
    # reliability diagram's bins {"calibrated": [...], "uncalibrated": [...]}.
    temperature: float = 1.0
    ece: float | None = None
    ece_uncalibrated: float | None = None
    reliability: dict[str, list[dict]] = field(default_factory=dict)

    def to_json(self, with_samples: bool = False) -> dict:
        d = asdict(self)
        if not with_samples:
            d.pop("samples")
        return d


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], n: int) -> list[list[int]]:
    cm = [[0] * n for _ in range(n)]
    for t, p in zip(y_true, y_pred, strict=True):
        cm[t][p] += 1
    return cm


def per_class_metrics(cm: list[list[int]], classes: Sequence[str]) -> dict[str, dict[str, float]]:
    out = {}
    n = len(classes)
    for i, name in enumerate(classes):
        tp = cm[i][i]
        support = sum(cm[i])
        predicted = sum(cm[r][i] for r in range(n))
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return out


def make_report(
    split: str,
    classes: Sequence[str],
    y_true: Sequence[int],
    y_pred: Sequence[int],
    loss: float,
    samples: list[dict] | None = None,
    skipped: int = 0,
    *,
    temperature: float = 1.0,
    ece: float | None = None,
    ece_uncalibrated: float | None = None,
    reliability: dict[str, list[dict]] | None = None,
) -> EvalReport:
    """The report of predictions ``y_pred`` against ``y_true``, with the calibration figures
    the evaluation measured (see :class:`EvalReport`)."""
    cm = confusion_matrix(y_true, y_pred, len(classes))
    n = len(y_true)
    acc = sum(int(t == p) for t, p in zip(y_true, y_pred, strict=True)) / n if n else 0.0
    return EvalReport(
        split,
        list(classes),
        n,
        acc,
        loss,
        cm,
        per_class_metrics(cm, classes),
        samples or [],
        skipped,
        temperature,
        ece,
        ece_uncalibrated,
        reliability or {},
    )
