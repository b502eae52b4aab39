"""What the Results page shows: the model of a finished run or of a loaded bundle, the reports
that came with it, and the job that evaluates it on a dataset.

Torch-free at import; the model is built, and evaluated, on worker threads only.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from ..preference_store import inference_backend
from ..warm_up import import_engine

SPLITS = ("val", "test")


def _report_from_json(d: dict[str, Any]) -> Any:
    """An ``EvalReport`` from a bundle's saved metrics (no per-sample records there; no
    calibration figures in those saved before tlgui measured them)."""
    from ...engine.metrics import EvalReport

    ece, raw = d.get("ece"), d.get("ece_uncalibrated")
    return EvalReport(
        split=d["split"],
        classes=list(d["classes"]),
        n=int(d["n"]),
        accuracy=float(d["accuracy"]),
        loss=float(d["loss"]),
        confusion_matrix=[list(r) for r in d["confusion_matrix"]],
        per_class=dict(d["per_class"]),
        samples=list(d.get("samples", [])),
        temperature=float(d.get("temperature", 1.0)),
        ece=None if ece is None else float(ece),
        ece_uncalibrated=None if raw is None else float(raw),
        reliability=dict(d.get("reliability") or {}),
    )


# Augmentation values that change nothing, left out of the summary with zeros and "none".
_NEUTRAL_AUGMENT = {"scale_max": 1.0, "ratio_min": 0.75, "ratio_max": 4 / 3}


def config_rows(config: dict[str, Any], off: str) -> list[tuple[str, str]]:
    """The configuration as (setting, value) rows; the augmentation as one row of the
    settings that do something (``off`` when it is disabled)."""
    rows = [(k, str(v)) for k, v in config.items() if k != "augment"]
    aug = config.get("augment")
    if isinstance(aug, dict):
        if not aug.get("enabled", True):
            rows.append(("augment", off))
        else:
            active = {
                k: v
                for k, v in aug.items()
                if k != "enabled" and v not in (0, 0.0, "none") and _NEUTRAL_AUGMENT.get(k) != v
            }
            rows.append(("augment", json.dumps(active)))
    return rows


class ResultsSource:
    """A finished run (``FitResult``) or a loaded bundle: its classes, configuration, history,
    reports and calibration temperature, and its model for Grad-CAM and evaluation
    (:meth:`model_source`)."""

    def __init__(self, fit_result: Any = None, bundle: Any = None) -> None:
        self.fit_result = fit_result
        self.bundle = bundle
        self._model: Any = fit_result.model if fit_result is not None else None
        self._model_lock = threading.Lock()
        if fit_result is not None:
            self.classes = list(fit_result.classes)
            self.config = fit_result.config.to_dict()
            self.backbone = fit_result.config.backbone
            self.history = [e.to_json() for e in fit_result.history]
            self.reports = dict(fit_result.reports)
            self.temperature = float(fit_result.temperature)
            return
        self.classes = list(bundle.classes)
        self.config = dict(bundle.config)
        self.backbone = bundle.backbone
        self.history = [dict(h) for h in bundle.history]
        self.temperature = float(bundle.temperature)
        self.reports = {}
        for split in SPLITS:
            saved = bundle.metrics.get(split)
            if isinstance(saved, dict) and "confusion_matrix" in saved:
                try:
                    self.reports[split] = _report_from_json(saved)
                except (KeyError, TypeError, ValueError):
                    continue

    def model_source(self) -> tuple[Any, int, list[float], list[float]]:
        """(model, input size, mean, std). Runs on worker threads: a bundle's model is built
        once, by the first one that asks."""
        with self._model_lock:
            if self._model is None:
                self._model = self.bundle.build_model()
            model = self._model
        if self.bundle is not None:
            b = self.bundle
            return model, int(b.input_size), list(b.mean), list(b.std)
        from ...engine.backbones import get_info

        info = get_info(self.backbone)
        return model, info.input_size, list(info.mean), list(info.std)


def evaluate_job(source: ResultsSource, scan: Any, tta: bool) -> dict[str, Any]:
    """Job function: the engine's evaluation (the one ``tlgui evaluate`` runs) of the model on
    each of the dataset's val and test splits, with per-image records for the mistakes gallery;
    ``tta`` averages every picture with its mirror image, on every split. Probabilities are
    calibrated with the model's temperature."""
    import_engine()
    from ...engine.train import evaluate_model

    model, size, mean, std = source.model_source()
    return {
        split: evaluate_model(
            model,
            source.classes,
            scan,
            split,
            input_size=size,
            mean=mean,
            std=std,
            tta=tta,
            keep_samples=True,
            temperature=source.temperature,
            inference_backend=inference_backend(),
        )
        for split in SPLITS
        if scan.splits.get(split)
    }
