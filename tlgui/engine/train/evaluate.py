"""Evaluation: accuracy, loss, confusion matrix and per-image records of a model on a split.

:class:`Evaluator` is the one evaluation: the training loop uses it every epoch and at the end,
and :func:`evaluate_model` / :func:`evaluate_bundle` (what the CLI's ``evaluate`` and the GUI's
"Evaluate on dataset" call) run it on a trained model. Its numbers:

* probabilities are calibrated with a temperature (:mod:`tlgui.engine.calibration`): the
  bundle's for a trained model, 1 for the per-epoch validation of a run in progress;
* loss: the mean cross-entropy of the logits divided by the temperature (no label smoothing,
  no class weights); with test-time augmentation (``tta``) the class probabilities of each
  picture and its mirror image are averaged, as :class:`~tlgui.engine.predict.Predictor`
  does, and the loss is the mean of ``-log p(true class)`` under those probabilities;
* ``ece`` and ``ece_uncalibrated``: the 15-bin expected calibration error with the
  temperature and without it, with the bins of the reliability diagram;
* a dataset's classes are matched to the model's by name; a class the model does not know is
  an :class:`UnknownClassError`;
* unreadable pictures are reported once each through the callbacks' ``on_skipped`` and counted
  in :attr:`~tlgui.engine.metrics.EvalReport.skipped`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from .. import augment
from ..calibration import (
    calibrated_probabilities,
    ece_from_bins,
    fit_temperature,
    reliability_bins,
)
from ..data import DatasetScan, Sample
from ..events import BatchEnd, Callback
from ..metrics import EvalReport, make_report
from ..model import TransferModel
from ..predict import view_logits
from .batches import BatchSource, View
from .features import FeatureCache, evaluation_network
from .runtime import CancelToken, EventBus, Runtime, auto_workers

if TYPE_CHECKING:
    from ..checkpoint import Bundle


class UnknownClassError(ValueError):
    """The dataset has a class the model was not trained on; one line for the user."""


def evaluation_split(scan: DatasetScan) -> str:
    """The split an evaluation of a trained model uses: ``test`` if it has pictures, else
    ``val`` if it has, else ``train``."""
    for split in ("test", "val"):
        if scan.splits.get(split):
            return split
    return "train"


@dataclass(frozen=True)
class SplitScores:
    """A model's outputs on one split, on the CPU: ``logits`` ``(N, V, C)`` (``V`` = 2 views
    with test-time augmentation, else 1), ``labels`` ``(N,)``, ``order`` (each row's index in
    the split's samples) and ``skipped`` (pictures that could not be read)."""

    split: str
    logits: torch.Tensor
    labels: torch.Tensor
    order: list[int]
    skipped: int


class Evaluator:
    """Evaluates a model on the splits it was given (sample labels are the model's class
    indices). With ``features``, a frozen backbone is evaluated from its cached outputs; with
    ``fold``, a backbone that trains runs BatchNorm-folded where that is faster
    (:func:`~.features.evaluation_network`)."""

    def __init__(
        self,
        runtime: Runtime,
        batches: BatchSource,
        events: EventBus,
        classes: Sequence[str],
        eval_view: View,
        splits: dict[str, list[Sample]],
        *,
        features: FeatureCache | None = None,
        fold: bool = True,
    ) -> None:
        self.runtime, self.batches, self.events = runtime, batches, events
        self.classes = list(classes)
        self.eval_view, self.splits = eval_view, splits
        self.features, self.fold = features, fold

    def evaluate(
        self,
        model: TransferModel,
        split: str,
        *,
        epoch: int = 0,
        t0: float | None = None,
        keep_samples: bool = False,
        tta: bool = False,
        phase: str = "val",
        temperature: float = 1.0,
    ) -> EvalReport:
        """The report of ``model`` (on the run's device) on ``split``, its probabilities
        calibrated with ``temperature``; progress as :class:`~tlgui.engine.events.BatchEnd`
        events of ``phase`` and ``epoch``, ``elapsed`` counted from ``t0`` (default: now).
        ``keep_samples`` adds per-image records."""
        scores = self.scores(model, split, epoch=epoch, t0=t0, tta=tta, phase=phase)
        return self.report(scores, temperature, keep_samples)

    @torch.inference_mode()
    def scores(
        self,
        model: TransferModel,
        split: str,
        *,
        epoch: int = 0,
        t0: float | None = None,
        tta: bool = False,
        phase: str = "val",
    ) -> SplitScores:
        """The logits of ``model`` on ``split``, as :meth:`evaluate` computes them."""
        model.eval()
        samples = self.splits[split]
        t0 = t0 if t0 is not None else time.perf_counter()
        bs = self.batches.inference_batch()
        fixed = self.features is not None and self.features.weights_fixed
        cached = self.features is not None and model.backbone_frozen and not tta and not fixed
        if cached:
            feats = self.features.features(model, split, epoch)
            batches: Any = self.batches.features(feats, samples, range(len(samples)), bs)
            net = model.head
        else:
            batches = self.batches.images(
                samples, self.eval_view, None, bs, f"eval:{split}:{epoch}", repeats=True
            )
            net = (
                _head_on_fixed_backbone(model, self.features)
                if fixed
                else evaluation_network(model, self.runtime, self.fold)
            )
        logits: list[torch.Tensor] = []  # (n, views, classes) per batch
        labels: list[torch.Tensor] = []
        order: list[int] = []
        for b, (x, y, idx, bad) in enumerate(batches):
            self.events.check_cancel()
            self.events.report_skipped(bad)
            if x is None:
                continue
            x = x.to(self.runtime.device) if cached else self.runtime.to_device(x)
            with self.runtime.autocast():
                logits.append(view_logits(net, x, tta))  # read back once, after the last batch
            labels.append(y)
            order.extend(idx.tolist())
            self.events.emit(
                "on_batch_end",
                BatchEnd(epoch, phase, b + 1, len(batches), 0.0, time.perf_counter() - t0),
            )
        # Every process's share of the split (a distributed run), in sample order.
        logits, labels, order = self.batches.dist.gather_scores(logits, labels, order)
        if not logits:
            empty = torch.empty(0, 2 if tta else 1, len(self.classes))
            return SplitScores(split, empty, torch.empty(0, dtype=torch.long), [], len(samples))
        joined = torch.cat(logits).cpu()
        y_all = torch.cat([t.cpu() for t in labels])
        return SplitScores(split, joined, y_all, order, len(samples) - len(y_all))

    def calibrated_reports(
        self, model: TransferModel, splits: Sequence[str] = ("val", "test")
    ) -> tuple[dict[str, EvalReport], float]:
        """The end of a run: the temperature fitted on the validation logits
        (:func:`~tlgui.engine.calibration.fit_temperature`; 1 without a validation split) and
        the reports, with per-image records, of those of ``splits`` that have pictures."""
        scores = {s: self.scores(model, s) for s in splits if self.splits.get(s)}
        temperature = 1.0
        if "val" in scores:
            temperature = fit_temperature(scores["val"].logits[:, 0], scores["val"].labels)
        reports = {s: self.report(sc, temperature, keep_samples=True) for s, sc in scores.items()}
        return reports, temperature

    @torch.inference_mode()
    def report(
        self, scores: SplitScores, temperature: float = 1.0, keep_samples: bool = False
    ) -> EvalReport:
        """The report of ``scores``, probabilities calibrated with ``temperature``: loss,
        accuracy, confusion matrix, the expected calibration error with the temperature and
        without it (``ece``, ``ece_uncalibrated``) and their reliability bins;
        ``keep_samples`` adds per-image records."""
        split, samples, y = scores.split, self.splits[scores.split], scores.labels
        if not len(y):
            return make_report(split, self.classes, [], [], float("nan"), skipped=scores.skipped)
        probs = calibrated_probabilities(scores.logits, temperature)
        if scores.logits.shape[1] == 1:  # cross-entropy of the (scaled) logits
            single = scores.logits[:, 0].float()
            per = F.cross_entropy(
                single if temperature == 1.0 else single / temperature, y, reduction="none"
            )
        else:  # -log of the averaged probability of the true class
            per = F.nll_loss(probs.clamp_min(1e-12).log(), y, reduction="none")
        raw = probs if temperature == 1.0 else calibrated_probabilities(scores.logits)
        bins = {"calibrated": reliability_bins(probs, y), "uncalibrated": reliability_bins(raw, y)}
        y_true = y.tolist()
        y_pred = probs.argmax(1).tolist()
        losses = per.tolist()
        records: list[dict] = []
        if keep_samples:
            for i, t, p, pr, lo in zip(
                scores.order, y_true, y_pred, probs.max(1).values.tolist(), losses, strict=True
            ):
                records.append(
                    {"path": samples[i].path, "true": t, "pred": p, "prob": pr, "loss": lo}
                )
        return make_report(
            split,
            self.classes,
            y_true,
            y_pred,
            sum(losses) / len(losses),
            records,
            skipped=scores.skipped,
            temperature=temperature,
            ece=ece_from_bins(bins["calibrated"]),
            ece_uncalibrated=ece_from_bins(bins["uncalibrated"]),
            reliability=bins,
        )


def _head_on_fixed_backbone(
    model: TransferModel, features: FeatureCache
) -> Callable[[torch.Tensor], torch.Tensor]:
    """``model`` as a callable whose backbone runs on ``features``' no-gradient forward (ORT
    where it was chosen on the first batch it sees, the BatchNorm-folded copy otherwise)."""
    return lambda x: model.head(features.frozen_backbone(model, x)(x).float())


def evaluate_model(
    model: TransferModel,
    classes: Sequence[str],
    scan: DatasetScan,
    split: str,
    *,
    input_size: int,
    mean: Sequence[float],
    std: Sequence[float],
    tta: bool = False,
    device: str = "auto",
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    keep_samples: bool = False,
    temperature: float = 1.0,
    inference_backend: str = "auto",
) -> EvalReport:
    """Evaluate ``model`` (whose outputs are ``classes``) on ``scan``'s ``split`` through the
    eval transform of ``input_size``/``mean``/``std``, probabilities calibrated with
    ``temperature`` (see the module docstring).

    ``model`` is left as it was: a copy runs when it lives on another device, and its
    train/eval mode is put back. Its weights do not change here, so its backbone's forward
    runs on ``inference_backend`` as a frozen one's does in training
    (:func:`~tlgui.engine.onnx_backend.frozen_forward`, reported through ``on_backend``).
    Progress: ``BatchEnd`` events of phase ``"eval"``. Raises
    :class:`UnknownClassError`, :class:`~.runtime.TrainingError` (a device that is not
    there) or :class:`~.runtime.Cancelled` (``cancel`` was set)."""
    index = {name: i for i, name in enumerate(classes)}
    unknown = [c for c in scan.classes if c not in index]
    if unknown:
        raise UnknownClassError(f"classes not known to the model: {', '.join(unknown)}")
    samples = [Sample(s.path, index[scan.classes[s.label]]) for s in scan.splits.get(split, [])]
    runtime = Runtime.create(device)
    batches = BatchSource(
        runtime,
        input_size,
        mean,
        std,
        seed=0,
        workers=auto_workers(runtime.device),
        batch_size=32,
        use_bank=False,
    )
    view = View(augment.eval_transform(input_size, tuple(mean), tuple(std)), None)
    events = EventBus(callbacks, cancel)
    splits = {split: samples}
    fixed = FeatureCache(
        runtime,
        batches,
        view,
        events,
        splits,
        cache_features=True,
        random_start=False,
        batch_size=32,
        inference_backend=inference_backend,
        weights_fixed=True,
    )
    evaluator = Evaluator(runtime, batches, events, classes, view, splits, features=fixed)
    on_device = next(model.parameters()).device == runtime.device
    net = model if on_device else copy.deepcopy(model).to(runtime.device)
    was_training = model.training
    try:
        return evaluator.evaluate(
            net, split, keep_samples=keep_samples, tta=tta, phase="eval", temperature=temperature
        )
    finally:
        model.train(was_training)


def evaluate_bundle(
    bundle: Bundle,
    scan: DatasetScan,
    split: str,
    *,
    tta: bool = False,
    device: str = "auto",
    callbacks: Sequence[Callback] = (),
    cancel: CancelToken | None = None,
    keep_samples: bool = False,
    inference_backend: str = "auto",
) -> EvalReport:
    """:func:`evaluate_model` on the model of a loaded bundle
    (:func:`tlgui.engine.checkpoint.load_bundle`), with the bundle's temperature."""
    return evaluate_model(
        bundle.build_model(),
        bundle.classes,
        scan,
        split,
        input_size=bundle.input_size,
        mean=bundle.mean,
        std=bundle.std,
        tta=tta,
        device=device,
        callbacks=callbacks,
        cancel=cancel,
        keep_samples=keep_samples,
        temperature=bundle.temperature,
        inference_backend=inference_backend,
    )


__all__ = [
    "Evaluator",
    "SplitScores",
    "UnknownClassError",
    "evaluate_bundle",
    "evaluate_model",
    "evaluation_split",
]
