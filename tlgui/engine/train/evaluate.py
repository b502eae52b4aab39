"""Evaluation: accuracy, loss, confusion matrix and per-image records of a model on a split.

:class:`Evaluator` is the one evaluation: the training loop uses it every epoch and at the end,
and :func:`evaluate_model` / :func:`evaluate_bundle` (what the CLI's ``evaluate`` and the GUI's
"Evaluate on dataset" call) run it on a trained model. Its numbers:

* loss: the mean cross-entropy of the logits (no label smoothing, no class weights); with
  test-time augmentation (``tta``) the class probabilities of each picture and its mirror image
  are averaged, as :class:`~tlgui.engine.predict.Predictor` does, and the loss is the mean of
  ``-log p(true class)`` under those probabilities;
* a dataset's classes are matched to the model's by name; a class the model does not know is
  an :class:`UnknownClassError`;
* unreadable pictures are reported once each through the callbacks' ``on_skipped`` and counted
  in :attr:`~tlgui.engine.metrics.EvalReport.skipped`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from .. import augment
from ..data import DatasetScan, Sample
from ..events import BatchEnd, Callback
from ..metrics import EvalReport, make_report
from ..model import TransferModel
from ..predict import class_probabilities
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

    @torch.inference_mode()
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
    ) -> EvalReport:
        """The report of ``model`` (on the run's device) on ``split``; progress as
        :class:`~tlgui.engine.events.BatchEnd` events of ``phase`` and ``epoch``, ``elapsed``
        counted from ``t0`` (default: now). ``keep_samples`` adds per-image records."""
        model.eval()
        samples = self.splits[split]
        t0 = t0 if t0 is not None else time.perf_counter()
        bs = self.batches.inference_batch()
        cached = self.features is not None and model.backbone_frozen and not tta
        if cached:
            feats = self.features.features(model, split, epoch)
            batches: Any = self.batches.features(feats, samples, range(len(samples)), bs)
            net = model.head
        else:
            batches = self.batches.images(
                samples, self.eval_view, None, bs, f"eval:{split}:{epoch}", repeats=True
            )
            net = evaluation_network(model, self.runtime, self.fold)
        scores: list[torch.Tensor] = []  # logits, or averaged probabilities with TTA
        labels: list[torch.Tensor] = []
        order: list[int] = []
        for b, (x, y, idx, bad) in enumerate(batches):
            self.events.check_cancel()
            self.events.report_skipped(bad)
            if x is None:
                continue
            x = x.to(self.runtime.device) if cached else self.runtime.to_device(x)
            with self.runtime.autocast():
                score = class_probabilities(net, x, tta=True) if tta else net(x).float()
            scores.append(score)  # read back once, after the last batch
            labels.append(y)
            order.extend(idx.tolist())
            self.events.emit(
                "on_batch_end",
                BatchEnd(epoch, phase, b + 1, len(batches), 0.0, time.perf_counter() - t0),
            )
        return self._report(split, samples, scores, labels, order, tta, keep_samples)

    def _report(
        self,
        split: str,
        samples: Sequence[Sample],
        scores: list[torch.Tensor],
        labels: list[torch.Tensor],
        order: list[int],
        tta: bool,
        keep_samples: bool,
    ) -> EvalReport:
        if not scores:
            return make_report(split, self.classes, [], [], float("nan"), skipped=len(samples))
        joined = torch.cat(scores)
        y = torch.cat([t.to(joined.device) for t in labels])
        if tta:
            probs = joined
            per = F.nll_loss(probs.clamp_min(1e-12).log(), y, reduction="none")
        else:
            per = F.cross_entropy(joined, y, reduction="none")
            probs = joined.softmax(1)
        per, probs = per.cpu(), probs.cpu()
        y_true = y.cpu().tolist()
        y_pred = probs.argmax(1).tolist()
        losses = per.tolist()
        records: list[dict] = []
        if keep_samples:
            for i, t, p, pr, lo in zip(
                order, y_true, y_pred, probs.max(1).values.tolist(), losses, strict=True
            ):
                records.append(
                    {"path": samples[i].path, "true": t, "pred": p, "prob": pr, "loss": lo}
                )
        loss = sum(losses) / len(losses)
        return make_report(
            split, self.classes, y_true, y_pred, loss, records, skipped=len(samples) - len(y_true)
        )


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
) -> EvalReport:
    """Evaluate ``model`` (whose outputs are ``classes``) on ``scan``'s ``split`` through the
    eval transform of ``input_size``/``mean``/``std`` (see the module docstring).

    ``model`` is left as it was: a copy runs when it lives on another device, and its
    train/eval mode is put back. Progress: ``BatchEnd`` events of phase ``"eval"``. Raises
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
    evaluator = Evaluator(runtime, batches, events, classes, view, {split: samples})
    on_device = next(model.parameters()).device == runtime.device
    net = model if on_device else copy.deepcopy(model).to(runtime.device)
    was_training = model.training
    try:
        return evaluator.evaluate(net, split, keep_samples=keep_samples, tta=tta, phase="eval")
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
) -> EvalReport:
    """:func:`evaluate_model` on the model of a loaded bundle
    (:func:`tlgui.engine.checkpoint.load_bundle`)."""
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
    )


__all__ = [
    "Evaluator",
    "UnknownClassError",
    "evaluate_bundle",
    "evaluate_model",
    "evaluation_split",
]
