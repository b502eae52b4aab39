"""Exporting a trained model for use without tlgui: TorchScript or ONNX, plus a JSON sidecar.

The exported network is the model's own ``forward``: it takes the normalised NCHW float32
batch that the bundle's eval transform produces (:func:`tlgui.engine.augment.eval_transform`)
and returns the class logits (N, classes). Beside the model file ``FILE`` goes ``FILE.json``
(:func:`sidecar_path`): the class names, the input size, mean/std and the resize rule, read
off the eval transform itself (:func:`describe_eval_transform`), so a program without tlgui
can prepare pictures the same way, and the bundle's calibration ``temperature`` (tlgui's
probabilities are ``softmax(logits / temperature)``).

Every export is checked before anything is written: the serialised model is loaded back
(TorchScript through ``torch.jit.load``, ONNX through an ONNX Runtime session) and run on
sample inputs of the model's input size (seeded noise and a picture made here, in one batch
of a size other than the one traced, so the dynamic batch axis is exercised too); its logits
must match the model's own to :data:`~tlgui.engine.onnx_backend.MATCH_RTOL` of their scale.
A mismatch raises :class:`ExportError` and leaves no file behind. Then the model and its
sidecar are written atomically.

The ONNX graph comes from the same exporter settings as the frozen backbone's fast path
(:func:`~tlgui.engine.onnx_export.export_frozen`: TorchScript-based exporter, opset
:data:`~tlgui.engine.onnx_export.OPSET`, dynamic batch axis).
"""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from .. import __version__
from . import augment
from .config import EXPORT_FORMATS
from .fileio import atomic_write
from .onnx_backend import MATCH_RTOL, relative_difference
from .onnx_export import OPSET, export_frozen

if TYPE_CHECKING:
    from .checkpoint import Bundle

FORMATS = EXPORT_FORMATS
SIDECAR_FORMAT = "tlgui-export"
SIDECAR_VERSION = 1
INPUT_NAME, OUTPUT_NAME = "images", "logits"
SAMPLE_INPUTS = 3
"""Inputs of the check batch: two of seeded noise and one generated picture through the eval
transform. Three, while the export traces one, so a batch axis fixed by mistake fails."""


class ExportError(ValueError):
    """The model cannot be exported, or the export does not match it; one line for the user."""


@dataclass(frozen=True)
class ModelCard:
    """What a program needs besides the weights to use an exported model."""

    backbone: str
    classes: tuple[str, ...]
    input_size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    temperature: float = 1.0  # tlgui's probabilities are softmax(logits / temperature)

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> ModelCard:
        return cls(
            bundle.backbone,
            tuple(bundle.classes),
            int(bundle.input_size),
            tuple(bundle.mean),
            tuple(bundle.std),
            float(getattr(bundle, "temperature", 1.0)),
        )

    def eval_transform(self):
        return augment.eval_transform(self.input_size, self.mean, self.std)


@dataclass(frozen=True)
class ExportResult:
    """An export that was written: where, in which format, and how well it matched."""

    path: str
    sidecar: str
    fmt: str
    bytes: int
    inputs: int
    difference: float  # max |exported - model| / max |model| over the check batch
    runtime: str  # what ran the check: "torch 2.x" or "onnxruntime 1.x"

    def describe(self) -> str:
        """One line: what was written and the verification, for the CLI and the status bar."""
        return (
            f"exported {self.path} ({self.fmt}, {self.bytes / 1e6:.1f} MB) and {self.sidecar}; "
            f"verified with {self.runtime} on {self.inputs} inputs: max difference "
            f"{self.difference:.2g} of the logits' scale (tolerance {MATCH_RTOL:g})"
        )


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """The sidecar of the model file ``path``: the same name with ``.json`` appended
    (``model.onnx`` -> ``model.onnx.json``), so two formats exported side by side never
    share one."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def describe_eval_transform(card: ModelCard) -> dict[str, Any]:
    """The eval transform of ``card`` as data, read off the transform object itself: resize
    the shorter side (``resize`` pixels, keeping the aspect ratio; ``interpolation``,
    ``antialias``), centre-crop ``center_crop``, scale 0..255 to 0..1, normalise
    ``(x - mean) / std`` per RGB channel. A step this function does not know raises
    ``ExportError``: the sidecar never describes less than the transform does."""
    out: dict[str, Any] = {"color": "RGB", "layout": "NCHW", "dtype": "float32"}
    for step in card.eval_transform().transforms:
        name = type(step).__name__
        if name == "Resize":
            if len(step.size) != 1 or step.max_size is not None:
                raise ExportError(f"cannot describe the eval transform's resize {step.size}")
            out["resize"] = int(step.size[0])
            out["interpolation"] = str(getattr(step.interpolation, "value", step.interpolation))
            out["antialias"] = bool(step.antialias)
        elif name == "CenterCrop":
            out["center_crop"] = [int(v) for v in step.size]
        elif name == "ToImage":
            continue
        elif name == "ToDtype":
            out["scale"] = "divide 0..255 pixel values by 255" if step.scale else "none"
        elif name == "Normalize":
            out["mean"] = [float(v) for v in step.mean]
            out["std"] = [float(v) for v in step.std]
        else:
            raise ExportError(f"cannot describe the eval transform's step {name}")
    return out


def sidecar(card: ModelCard, fmt: str, model_file: str) -> dict[str, Any]:
    """The JSON written beside an exported model (see the module docstring)."""
    preprocess = describe_eval_transform(card)
    return {
        "format": SIDECAR_FORMAT,
        "format_version": SIDECAR_VERSION,
        "tlgui_version": __version__,
        "model_file": model_file,
        "model_format": fmt,
        "backbone": card.backbone,
        "classes": list(card.classes),
        "input_size": card.input_size,
        "mean": preprocess["mean"],
        "std": preprocess["std"],
        "input": {
            "name": INPUT_NAME,
            "shape": ["batch", 3, card.input_size, card.input_size],
            "dtype": "float32",
        },
        "output": {"name": OUTPUT_NAME, "shape": ["batch", len(card.classes)], "kind": "logits"},
        # The calibration tlgui applies: its probabilities are softmax(logits / temperature).
        "temperature": card.temperature,
        "preprocess": preprocess,
    }


def sample_inputs(card: ModelCard, n: int = SAMPLE_INPUTS) -> torch.Tensor:
    """``n`` check inputs (N, 3, S, S): seeded noise, and last a generated picture (colour
    gradients, so every channel varies) through the eval transform."""
    generator = torch.Generator().manual_seed(0)
    side = card.input_size
    noise = torch.randn(max(0, n - 1), 3, side, side, generator=generator)
    ramp = np.linspace(0, 255, 300, dtype=np.float32)
    pixels = np.stack(
        [np.add.outer(ramp, ramp) / 2, np.add.outer(ramp[::-1], ramp) / 2, np.tile(ramp, (300, 1))],
        axis=-1,
    ).astype(np.uint8)
    picture = card.eval_transform()(Image.fromarray(pixels[:, :260]))
    return torch.cat([noise, picture.unsqueeze(0)])[:n]


def _cpu_copy(model: nn.Module) -> nn.Module:
    """A float32 CPU copy in eval mode: the caller's model (maybe in use on another thread or
    on a GPU) is never changed."""
    return copy.deepcopy(model).to("cpu", torch.float32).eval()


def _to_torchscript(model: nn.Module, example: torch.Tensor) -> bytes:
    buffer = io.BytesIO()
    with torch.inference_mode(False), torch.no_grad():
        traced = torch.jit.trace(model, example, check_trace=False)
        torch.jit.save(traced, buffer)
    return buffer.getvalue()


def _run_torchscript(data: bytes, x: torch.Tensor) -> torch.Tensor:
    loaded = torch.jit.load(io.BytesIO(data), map_location="cpu")
    with torch.no_grad():
        return loaded(x).float()


def _run_onnx(data: bytes, x: torch.Tensor) -> torch.Tensor:
    import onnxruntime as ort

    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    (out,) = session.run([OUTPUT_NAME], {INPUT_NAME: x.numpy()})
    return torch.from_numpy(out)


def _runtime(fmt: str) -> str:
    if fmt == "onnx":
        import onnxruntime as ort

        return f"onnxruntime {ort.__version__}"
    return f"torch {torch.__version__}"


def serialise(model: nn.Module, card: ModelCard, fmt: str) -> bytes:
    """``model`` as TorchScript or ONNX bytes (input ``images`` with a dynamic batch axis,
    output ``logits``). ``ExportError`` when the exporter refuses the model."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    side = card.input_size
    try:
        if fmt == "onnx":
            return export_frozen(model, side, output_name=OUTPUT_NAME)
        return _to_torchscript(model, torch.zeros(1, 3, side, side))
    except Exception as exc:  # any exporter failure: this model does not export to fmt
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ExportError(f"{card.backbone} does not export to {fmt}: {first}") from None


def verify(data: bytes, fmt: str, model: nn.Module, inputs: torch.Tensor) -> float:
    """Run the exported ``data`` on ``inputs`` and compare with ``model``'s logits; the
    relative difference, or ``ExportError`` when it exceeds the tolerance."""
    with torch.no_grad():
        reference = model(inputs).float()
    try:
        ours = (_run_onnx if fmt == "onnx" else _run_torchscript)(data, inputs)
    except Exception as exc:  # the runtime refusing what was exported is a failed check
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ExportError(f"the exported {fmt} model does not run: {first}") from None
    difference = relative_difference(ours, reference)
    if not difference <= MATCH_RTOL:
        raise ExportError(
            f"the exported {fmt} model's outputs differ from the model's by {difference:.2g} "
            f"of their scale (tolerance {MATCH_RTOL:g}); nothing was written"
        )
    return difference


def export_model(
    model: nn.Module, card: ModelCard, fmt: str, path: str | os.PathLike[str]
) -> ExportResult:
    """Export ``model`` (a ``TransferModel`` or any module mapping the normalised batch to
    logits) as ``fmt`` at ``path`` with its sidecar, after checking it (module docstring)."""
    if len(card.classes) < 2:
        raise ExportError("a model to export needs at least two classes")
    model = _cpu_copy(model)
    data = serialise(model, card, fmt)
    inputs = sample_inputs(card)
    difference = verify(data, fmt, model, inputs)
    path = Path(path)
    meta = sidecar(card, fmt, path.name)
    meta["verification"] = {
        "runtime": _runtime(fmt),
        "inputs": len(inputs),
        "max_relative_difference": difference,
        "tolerance": MATCH_RTOL,
    }
    if fmt == "onnx":
        meta["opset"] = OPSET
    try:
        atomic_write(path, lambda f: f.write(data))
        atomic_write(sidecar_path(path), lambda f: json.dump(meta, f, indent=2), mode="w")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    runtime = meta["verification"]["runtime"]
    return ExportResult(
        str(path), str(sidecar_path(path)), fmt, len(data), len(inputs), difference, runtime
    )


def export_bundle(bundle: Bundle, fmt: str, path: str | os.PathLike[str]) -> ExportResult:
    """Export a saved bundle's model (:func:`export_model`)."""
    return export_model(bundle.build_model(), ModelCard.from_bundle(bundle), fmt, path)


__all__: Sequence[str] = [
    "FORMATS",
    "INPUT_NAME",
    "OUTPUT_NAME",
    "ExportError",
    "ExportResult",
    "ModelCard",
    "describe_eval_transform",
    "export_bundle",
    "export_model",
    "sample_inputs",
    "serialise",
    "sidecar",
    "sidecar_path",
    "verify",
]
