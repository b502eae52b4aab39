"""Calibrated confidence: temperature scaling, the expected calibration error and the "not sure"
threshold.

Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017) divides
a model's logits by one number ``T > 0`` fitted on held-out data (the validation split) to
minimise the negative log-likelihood. Dividing by a positive number keeps every prediction's
ranking, so accuracy never changes; only how sure the probabilities say the model is.

* :func:`fit_temperature`: L-BFGS on ``log T`` (so ``T`` stays positive), in float64, kept in
  ``[T_MIN, T_MAX]``. A validation split the model gets entirely right has no finite optimum
  (the likelihood keeps rising as ``T`` shrinks, towards making every later prediction look
  certain): there is nothing to calibrate against, and the temperature stays 1.
* :func:`expected_calibration_error` and :func:`reliability_bins`: 15 equal-width confidence
  bins, as in the paper.
* :data:`DEFAULT_UNSURE_BELOW`: the calibrated top-class probability below which a prediction
  is shown as "not sure" (the value and how it was measured: README, "Calibrated confidence").

Torch-free at import: the CLI's parser and the GUI's Preferences read the threshold without
loading torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ECE_BINS = 15
T_MIN, T_MAX = 0.05, 20.0
# Measured (benchmarks/bench_calibration.py, hymenoptera, EfficientNet-Lite0 transfer, 4-fold
# held-out predictions, 3 and 10 epochs): the highest threshold that marks at most one right
# answer in ten as not sure; it marks 56 % of the wrong ones (README, "Calibrated confidence").
DEFAULT_UNSURE_BELOW = 0.85


def calibrated_probabilities(logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Class probabilities from logits divided by ``temperature``. ``logits`` is ``(N, C)``,
    or ``(N, V, C)`` for ``V`` views of each picture (test-time augmentation), whose
    probabilities are averaged."""
    scaled = logits.float() if temperature == 1.0 else logits.float() / temperature
    probs = scaled.softmax(-1)
    return probs.mean(1) if probs.dim() == 3 else probs


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature that minimises the mean cross-entropy of ``logits / T`` against
    ``labels`` (``(N, C)`` and ``(N,)``), within ``[T_MIN, T_MAX]``; 1 when there is nothing
    to fit on (no logits, or no mistake among them) or the fit does not lower the loss."""
    import torch
    import torch.nn.functional as F

    if logits.dim() != 2 or len(logits) == 0:
        return 1.0
    if bool((logits.argmax(1) == labels.to(logits.device)).all()):
        return 1.0
    lo, hi = math.log(T_MIN), math.log(T_MAX)
    # Outside any caller's inference mode: the logits may come from one (an evaluation), and
    # the fit needs autograd. Clones are ordinary tensors autograd can save.
    with torch.inference_mode(False), torch.enable_grad():
        z = logits.detach().to("cpu", torch.float64).clone()
        y = labels.detach().to("cpu", torch.long).clone()
        log_t = torch.zeros((), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.LBFGS(
            [log_t], lr=0.5, max_iter=100, tolerance_grad=1e-9, line_search_fn="strong_wolfe"
        )

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = F.cross_entropy(z / log_t.clamp(lo, hi).exp(), y)
            loss.backward()
            return loss

        optimizer.step(closure)
        value = float(log_t.detach())
        if not math.isfinite(value):
            return 1.0
        t = math.exp(min(hi, max(lo, value)))
        with torch.no_grad():  # never worse than leaving the model as it is
            if F.cross_entropy(z / t, y) > F.cross_entropy(z, y):
                return 1.0
    return t


def _confidences(probs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    confidence, predicted = probs.float().max(1)
    return confidence, (predicted == labels.to(predicted.device)).float()


def reliability_bins(
    probs: torch.Tensor, labels: torch.Tensor, bins: int = ECE_BINS
) -> list[dict[str, float]]:
    """Per equal-width confidence bin ``(lo, hi]`` (the first one also takes 0): ``lo``,
    ``hi``, ``count``, mean ``confidence`` and ``accuracy`` of the top-class predictions that
    fall in it (both 0 for an empty bin)."""
    import torch

    confidence, correct = _confidences(probs, labels)
    # Bin b holds confidences in (b/bins, (b+1)/bins]: ceil(c*bins) - 1.
    index = (confidence * bins).ceil().long().clamp(1, bins) - 1
    count = torch.bincount(index, minlength=bins).double()
    conf_sum = torch.bincount(index, weights=confidence.double(), minlength=bins)
    acc_sum = torch.bincount(index, weights=correct.double(), minlength=bins)
    out = []
    for b in range(bins):
        n = float(count[b])
        out.append(
            {
                "lo": b / bins,
                "hi": (b + 1) / bins,
                "count": int(n),
                "confidence": float(conf_sum[b]) / n if n else 0.0,
                "accuracy": float(acc_sum[b]) / n if n else 0.0,
            }
        )
    return out


def ece_from_bins(bins: Sequence[dict[str, float]]) -> float:
    """The expected calibration error of :func:`reliability_bins`' output: the count-weighted
    mean gap between confidence and accuracy."""
    total = sum(b["count"] for b in bins)
    if not total:
        return 0.0
    return sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in bins) / total


def expected_calibration_error(
    probs: torch.Tensor, labels: torch.Tensor, bins: int = ECE_BINS
) -> float:
    """ECE of class probabilities ``probs`` ``(N, C)`` against ``labels``, over ``bins``
    equal-width confidence bins."""
    return ece_from_bins(reliability_bins(probs, labels, bins))


def is_unsure(prob: float, threshold: float) -> bool:
    """Whether a prediction whose top class has (calibrated) probability ``prob`` is shown as
    "not sure" under ``threshold``."""
    return prob < threshold


__all__ = [
    "DEFAULT_UNSURE_BELOW",
    "ECE_BINS",
    "T_MAX",
    "T_MIN",
    "calibrated_probabilities",
    "ece_from_bins",
    "expected_calibration_error",
    "fit_temperature",
    "is_unsure",
    "reliability_bins",
]
