"""The Predict step's model and its work off the GUI thread: a ready-to-use model handle and
the job that predicts a batch of files (thumbnails and Grad-CAM overlays included).

Torch-free at import: the engine's predictor is imported where a handle is made, on a worker
thread or once torch is loaded.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from ...engine.data import ImageLoadError, list_images, load_image
from ..imaging import pil_to_qimage
from ..preference_store import inference_backend
from ..warm_up import import_engine

THUMB = 88  # thumbnail side in the table; images are kept at twice that for sharp HiDPI


@dataclass
class ModelHandle:
    """A ready-to-use model: the engine's Predictor plus what Grad-CAM needs."""

    predictor: object
    classes: list[str]
    backbone: str
    input_size: int
    mean: list[float]
    std: list[float]
    source: str  # shown to the user: "trained just now" or a file name


def handle_from_bundle(bundle: Any, source: str) -> ModelHandle:
    from ...engine.predict import Predictor

    return ModelHandle(
        Predictor.from_bundle(bundle, inference_backend=inference_backend()),
        list(bundle.classes),
        bundle.backbone,
        bundle.input_size,
        list(bundle.mean),
        list(bundle.std),
        source,
    )


def handle_from_result(result: Any, source: str) -> ModelHandle:
    from ...engine.backbones import get_info
    from ...engine.predict import Predictor

    info = get_info(result.config.backbone)
    model = result.model
    predictor = Predictor(
        model,
        result.classes,
        info.input_size,
        info.mean,
        info.std,
        inference_backend=inference_backend(),
        temperature=result.temperature,
    )
    return ModelHandle(
        predictor,
        list(result.classes),
        result.config.backbone,
        info.input_size,
        list(info.mean),
        list(info.std),
        source,
    )


@dataclass
class Row:
    path: str
    top: tuple[tuple[str, float], ...]
    error: str | None
    thumb: object  # QImage or None
    cam: object  # QImage or None
    prediction: object  # engine Prediction
    unsure: bool = False  # below the "not sure" threshold


def prepare_backend(handle: ModelHandle) -> None:
    """Runs on a pool thread when a model arrives: builds and checks the backbone's ONNX
    Runtime session (:meth:`tlgui.engine.predict.Predictor.prepare`), so the first dropped
    picture already gets the faster backend instead of waiting for a folder. A backend that
    cannot run here is reported by the prediction that needs it, not by this warm-up."""
    from ...engine.onnx_backend import BackendError

    with contextlib.suppress(BackendError):
        handle.predictor.prepare()


def predict_files(
    handle: ModelHandle, paths: list[str], top_k: int, cam: bool, unsure_below: float
) -> list[Row]:
    """Runs on a pool thread: decode, predict in one batch (a top probability below
    ``unsure_below`` marks the row unsure), thumbnails, optional Grad-CAM."""
    import_engine()
    from ...engine.predict import Prediction

    files = list_images(paths)
    images, good = [], []
    rows: dict[str, Row] = {}
    for f in files:
        try:
            images.append(load_image(f))
            good.append(f)
        except ImageLoadError as exc:
            rows[f] = Row(f, (), str(exc), None, None, Prediction(f, (), str(exc)))
    if images:
        preds = handle.predictor.predict_images(
            images, good, top_k=top_k, unsure_below=unsure_below
        )
        explain = None
        if cam:
            from ...engine.explain import gradcam_overlay as explain
        for img, p in zip(images, preds, strict=True):
            small = img.copy()
            small.thumbnail((THUMB * 2, THUMB * 2))
            cam_img = None
            if explain is not None:
                overlay, _peak = explain(
                    handle.predictor.model, img, handle.input_size, handle.mean, handle.std
                )
                overlay.thumbnail((THUMB * 2, THUMB * 2))
                cam_img = pil_to_qimage(overlay)
            rows[p.path] = Row(p.path, p.top, None, pil_to_qimage(small), cam_img, p, p.unsure)
    return [rows[f] for f in files]
