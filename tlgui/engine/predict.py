"""Prediction with a trained model: top-k for images, files and folders, in batches; CSV.

The backbone's forward runs on the backend :func:`~tlgui.engine.onnx_backend.frozen_forward`
picks (ONNX Runtime on the CPU when it matches torch; the head always runs on torch). The ORT
session is built on the first batch of two or more pictures (a folder), with that batch as
its check: exporting takes about a second, so a single dropped picture is never kept waiting
for it and runs on torch until the session exists (every prediction after that uses it).
:meth:`Predictor.prepare` builds it up front, e.g. in a background job.
"""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import torch
from PIL import Image

from . import augment
from .calibration import DEFAULT_UNSURE_BELOW, calibrated_probabilities, is_unsure
from .checkpoint import Bundle
from .data import ImageLoadError, list_images, load_for_network
from .data.prefetch import Prefetched
from .fileio import atomic_write
from .onnx_backend import BackendChoice, frozen_forward


@dataclass(frozen=True)
class Prediction:
    path: str
    top: tuple[tuple[str, float], ...]  # (label, probability), best first
    error: str | None = None
    # The top class's calibrated probability is below the "not sure" threshold.
    unsure: bool = False

    @property
    def label(self) -> str | None:
        return self.top[0][0] if self.top else None

    @property
    def prob(self) -> float:
        return self.top[0][1] if self.top else 0.0

    def to_json(self) -> dict:
        d: dict = {
            "path": self.path,
            "top": [{"label": lb, "prob": p} for lb, p in self.top],
            "unsure": self.unsure,
        }
        if self.error:
            d["error"] = self.error
        return d


def view_logits(
    model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, tta: bool = False
) -> torch.Tensor:
    """The logits of ``model`` for the normalised batch ``x`` as ``(N, V, C)`` float32: one
    view per picture, or with ``tta`` (test-time augmentation) two, the picture and its mirror
    image (flipped left to right)."""
    out = model(x).float()
    if not tta:
        return out[:, None]
    return torch.stack([out, model(torch.flip(x, dims=[3])).float()], 1)


def class_probabilities(
    model: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    tta: bool = False,
    temperature: float = 1.0,
) -> torch.Tensor:
    """Class probabilities of ``model`` for the normalised batch ``x`` (float32), calibrated
    with ``temperature``; with ``tta``, the mean of those of each picture and its mirror
    image."""
    return calibrated_probabilities(view_logits(model, x, tta), temperature)


def _then(
    first: Callable[[torch.Tensor], torch.Tensor], second: Callable[[torch.Tensor], torch.Tensor]
) -> Callable[[torch.Tensor], torch.Tensor]:
    return lambda x: second(first(x))


class Predictor:
    """Wraps a model + its classes and eval transform. ``tta`` averages with the flipped image;
    ``inference_backend`` (``auto``, ``torch``, ``onnxruntime``) runs the backbone as the module
    docstring says. Probabilities are calibrated with ``temperature`` (a bundle's own); a
    prediction whose top probability is below ``unsure_below`` is marked ``unsure``. Safe to
    call from several threads."""

    def __init__(
        self,
        model: torch.nn.Module,
        classes: Sequence[str],
        input_size: int,
        mean: Sequence[float],
        std: Sequence[float],
        device: str | torch.device = "cpu",
        batch_size: int = 32,
        tta: bool = False,
        inference_backend: str = "auto",
        temperature: float = 1.0,
        unsure_below: float = DEFAULT_UNSURE_BELOW,
    ) -> None:
        self.device = torch.device(device)
        self.temperature = float(temperature)
        self.unsure_below = float(unsure_below)
        self.model = model.to(self.device).eval()
        self.classes = list(classes)
        self.input_size = input_size
        self.transform = augment.eval_transform(input_size, tuple(mean), tuple(std))
        self.batch_size = batch_size
        self.tta = tta
        self.inference_backend = inference_backend
        self.backend: BackendChoice | None = None  # set once the backbone's backend is chosen
        self._network: Callable[[torch.Tensor], torch.Tensor] = self.model
        self._lock = threading.Lock()

    def prepare(self, check_batch: torch.Tensor | None = None) -> BackendChoice:
        """Choose the backbone's backend now (export and check ORT against torch on
        ``check_batch``, seeded noise when None) and return the choice; later calls return
        it at once. Raises :class:`~tlgui.engine.onnx_backend.BackendError` when
        ``onnxruntime`` was forced and cannot run the backbone."""
        with self._lock:
            if self.backend is None:
                # A TransferModel's backbone (its head stays on torch), else the whole module.
                backbone = getattr(self.model, "backbone", self.model)
                head = getattr(self.model, "head", None)
                forward, choice = frozen_forward(
                    backbone, self.input_size, self.inference_backend, check_batch=check_batch
                )
                if forward is not backbone:
                    self._network = forward if head is None else _then(forward, head)
                self.backend = choice
            return self.backend

    def _forward_for(self, x: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """What runs ``x``: decides the backend on the first batch of two or more pictures
        (on the first batch at all when a backend is forced); torch until then."""
        if self.backend is None and (len(x) > 1 or self.inference_backend != "auto"):
            self.prepare(x)
        return self._network

    @classmethod
    def from_bundle(cls, bundle: Bundle, device: str | torch.device = "cpu", **kwargs) -> Predictor:
        return cls(
            bundle.build_model(),
            bundle.classes,
            bundle.input_size,
            bundle.mean,
            bundle.std,
            device=device,
            **{"temperature": bundle.temperature, **kwargs},
        )

    @torch.inference_mode()
    def probabilities(self, images: Sequence[Image.Image]) -> torch.Tensor:
        """(N, C) class probabilities for PIL images."""
        out = []
        for i in range(0, len(images), self.batch_size):
            x = torch.stack(
                [self.transform(im.convert("RGB")) for im in images[i : i + self.batch_size]]
            ).to(self.device)
            net = self._forward_for(x)
            out.append(class_probabilities(net, x, self.tta, self.temperature).cpu())
        return torch.cat(out) if out else torch.empty(0, len(self.classes))

    def _top(self, probs: torch.Tensor, k: int) -> tuple[tuple[str, float], ...]:
        k = max(1, min(k, len(self.classes)))
        values, idx = probs.topk(k)
        return tuple((self.classes[i], float(v)) for v, i in zip(values, idx.tolist(), strict=True))

    def predict_images(
        self,
        images: Sequence[Image.Image],
        names: Sequence[str] | None = None,
        top_k: int = 3,
        unsure_below: float | None = None,
    ) -> list[Prediction]:
        """Predictions for PIL images; ``unsure_below`` overrides the predictor's threshold."""
        names = names or [f"image {i + 1}" for i in range(len(images))]
        threshold = self.unsure_below if unsure_below is None else unsure_below
        probs = self.probabilities(images)
        out = []
        for name, p in zip(names, probs, strict=True):
            top = self._top(p, top_k)
            out.append(Prediction(name, top, unsure=is_unsure(top[0][1], threshold)))
        return out

    def predict_paths(
        self, paths: Iterable[str | os.PathLike[str]], top_k: int = 3
    ) -> list[Prediction]:
        """Files and folders (expanded). Unreadable files get a Prediction with ``error``
        (never ``unsure``)."""
        files = list_images(paths)
        results: dict[str, Prediction] = {}
        # The next chunk decodes on a thread while this one runs through the network.
        for good, images, failed in Prefetched(self._decoded_chunks(files)):
            results.update((p.path, p) for p in failed)
            if images:
                for p in self.predict_images(images, good, top_k):
                    results[p.path] = p
        return [results[f] for f in files]

    def _decoded_chunks(
        self, files: list[str]
    ) -> Iterator[tuple[list[str], list[Image.Image], list[Prediction]]]:
        """Per chunk of ``batch_size`` files: the readable ones, their pictures (decoded as
        every pass decodes, :func:`~tlgui.engine.data.load_for_network`) and a Prediction
        with ``error`` for each unreadable one."""
        for start in range(0, len(files), self.batch_size):
            good, images, failed = [], [], []
            for f in files[start : start + self.batch_size]:
                try:  # (the loader refuses pipes and devices without opening them blocking)
                    images.append(load_for_network(f, self.input_size))
                    good.append(f)
                except ImageLoadError as exc:
                    failed.append(Prediction(f, (), str(exc)))
            yield good, images, failed


def predictions_csv(predictions: Sequence[Prediction], top_k: int = 3) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    header = ["path", "label", "prob"]
    for i in range(2, top_k + 1):
        header += [f"label_{i}", f"prob_{i}"]
    w.writerow(header + ["error", "unsure"])
    for p in predictions:
        row: list = [p.path]
        for i in range(top_k):
            if i < len(p.top):
                row += [p.top[i][0], f"{p.top[i][1]:.6f}"]
            else:
                row += ["", ""]
        w.writerow(row + [p.error or "", "" if p.error else str(p.unsure).lower()])
    return buf.getvalue()


def write_csv(
    predictions: Sequence[Prediction], path: str | os.PathLike[str], top_k: int = 3
) -> None:
    text = predictions_csv(predictions, top_k)
    atomic_write(path, lambda f: f.write(text), mode="w")
