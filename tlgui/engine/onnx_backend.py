"""The frozen backbone's forward on ONNX Runtime: the no-gradient path on the CPU.

While the backbone is frozen no gradient flows through it, so its forward is plain inference,
and ONNX Runtime (ORT) runs the same graph on the CPU several times faster than PyTorch's
kernels for the networks tlgui uses (depthwise convolutions above all). This module holds the
whole decision and nothing else; it never imports Qt and changes no process-wide setting.

- :func:`~tlgui.engine.onnx_export.export_frozen` turns a module into ONNX bytes;
  :class:`OrtForward` runs them: ``NCHW float tensor -> features tensor`` on the CPU.
- :func:`frozen_forward` picks the backend for one frozen phase (``auto``, ``torch`` or
  ``onnxruntime``) and says why in a :class:`BackendChoice`. ``auto`` uses ORT only on the CPU,
  only after its output on a check batch matched torch's (:data:`MATCH_RTOL`), and only when
  it runs that batch at least :data:`MIN_SPEEDUP` times faster than torch does; otherwise it
  falls back to the module itself with the reason in one line. The speed is measured, not
  assumed: which library is faster depends on the network and the machine (on a 2-core x86
  CPU under the engine's allocator settings, ORT runs EfficientNet-Lite about 1.7x faster
  than torch's channels-last kernels, MobileNetV3 about 1.25x, ResNet-18 as fast). It is
  measured the first time an architecture runs on a machine and kept
  (:class:`~tlgui.engine.onnx_cache.SpeedRecord`): later phases read it, and an architecture
  torch runs as fast is not even exported.
- Exports are kept on disk (:mod:`tlgui.engine.onnx_cache`): a frozen phase on a module that
  was exported before (the same pretrained backbone in every transfer run, the same trained
  model at every prediction) opens its session on the stored graph, which the check batch
  verifies like a fresh one; a stored graph that does not match is discarded and re-exported.

Threads: ORT's intra-op pool gets ``torch.get_num_threads()`` threads, so the one thread setting
the program already makes (torch's) bounds both libraries; the two never compute at the same
time (the frozen forward and the head's step take turns on one thread), so sharing the count
does not oversubscribe (in-process loading of the next batch, :mod:`tlgui.engine.data.prefetch`,
runs beside either alike). Inter-op parallelism is off (one thread: these graphs are a chain).
ORT's pool threads do not spin-wait after a run (``allow_spinning`` 0): a spinning pool burns
the cores the DataLoader workers decode on and the head's step runs on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from .config import BACKENDS
from .onnx_cache import ExportCache, SpeedRecord, export_key, speed_key
from .onnx_export import INPUT_NAME, OPSET, OUTPUT_NAME, export_frozen

if TYPE_CHECKING:
    import onnxruntime

MATCH_RTOL = 1e-3
"""ORT matches torch when ``max |ort - torch| <= MATCH_RTOL * max |torch|`` on the check batch.

Relative to the output's scale because features range from ~1e-8 (a random-start backbone
before BatchNorm calibration) to ~1e2, so no absolute tolerance fits all. The two libraries sum
in different orders and ORT fuses BatchNorm and activations into its kernels, so agreement is
float rounding (around 1e-6 of the scale), never bit-exact; a wrong graph (a mis-exported
padding, pooling or activation) is off by 1e-2 of the scale or more. 1e-3 sits between the two,
and a feature error that small moves a linear head's logits by a similarly negligible amount.
"""

CHECK_IMAGES = 8
"""Pictures of the check batch run through both backends (several, so the dynamic batch axis is
exercised: the export traces one; eight, because from eight pictures on the speed ratio
of the two libraries is the one of the training batch: at four, per-call overheads turned
MobileNetV3's 1.25x into 0.9x)."""

MIN_SPEEDUP = 1.1
"""``auto`` runs ORT only when it ran the check batch at least this many times faster than
torch (best of :data:`TIMED_CALLS` calls each, after the check's own warm-up call). Below that
the gain does not pay for the session's memory, and the timing's noise could flip the order."""

TIMED_CALLS = 2

RUN_PICTURES = 16
"""The most pictures :class:`OrtForward` hands ORT in one run; a larger batch runs in parts.
ORT's arena keeps the largest run's activations for the session's life, and per picture it
runs 16 as fast as 32 (2 cores, batch of 32: efficientnet_lite0 5.7 ms/picture either way,
arena +153 MB instead of +283 MB; mobilenet_v3_large 3.9 vs 4.0 ms, +104 instead of +184 MB;
at 8 lite0 ran 5-10 % slower)."""

Forward = Callable[[torch.Tensor], torch.Tensor]


class BackendError(RuntimeError):
    """The forced ``onnxruntime`` backend cannot run this backbone; the message is one line."""


@dataclass(frozen=True)
class BackendChoice:
    """Which backend runs the frozen forward, what was asked for, and why (one line)."""

    name: str  # "torch" or "onnxruntime"
    requested: str  # one of BACKENDS
    reason: str

    def describe(self) -> str:
        """One line for a log or an event, e.g. ``onnxruntime (auto: matched torch ...)``."""
        return f"{self.name} ({self.requested}: {self.reason})"

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "requested": self.requested, "reason": self.reason}


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first[:limit]}" if first else type(exc).__name__


def _not_installed(package: str) -> str | None:
    try:
        __import__(package)
    except ImportError as exc:
        return f"{package} is not installed ({_one_line(exc, 80)})"
    return None


def onnxruntime_missing() -> str | None:
    """Why ORT cannot be used in this environment (one line), or None when it can. Exporting
    also needs the ``onnx`` package, checked only when a graph is exported: importing it takes
    longer (0.6 s here) than opening a graph from the export cache."""
    return _not_installed("onnxruntime")


def _module_device(module: nn.Module) -> torch.device:
    tensor = next(iter([*module.parameters(), *module.buffers()]), None)
    return tensor.device if tensor is not None else torch.device("cpu")


def _session_options(threads: int, spinning: bool) -> onnxruntime.SessionOptions:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # The arena reuses freed blocks by itself; a memory pattern (one block planned for all
    # activations of a shape) only raises the peak, at the same speed.
    options.enable_mem_pattern = False
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    options.log_severity_level = 3  # errors only: ORT's notes on the graph are not the user's
    return options


class OrtForward:
    """An ORT session on ONNX bytes from :func:`export_frozen`, called like the module:
    ``forward(x)`` takes an (N, 3, H, W) float tensor on the CPU in any memory format and
    returns the (N, F) float32 features as a CPU tensor that owns its memory (run
    :data:`RUN_PICTURES` pictures at a time).

    ``threads``: ORT's intra-op threads, ``torch.get_num_threads()`` when None; ``spinning``:
    whether idle pool threads spin-wait (see the module docstring for both choices).
    Calls from several threads at once are safe (ORT sessions are).
    """

    def __init__(self, model: bytes, threads: int | None = None, *, spinning: bool = False) -> None:
        import onnxruntime as ort

        self.threads = max(1, threads if threads is not None else torch.get_num_threads())
        self.session = ort.InferenceSession(
            model, _session_options(self.threads, spinning), providers=["CPUExecutionProvider"]
        )
        shape = self.session.get_inputs()[0].shape
        self.input_size: tuple[int, int] = (int(shape[2]), int(shape[3]))

    @classmethod
    def from_module(
        cls, backbone: nn.Module, input_size: int | tuple[int, int], threads: int | None = None
    ) -> OrtForward:
        """Export ``backbone`` (:func:`export_frozen`) and open a session on it."""
        return cls(export_frozen(backbone, input_size), threads)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or tuple(x.shape[2:]) != self.input_size:
            raise ValueError(
                f"the ONNX backbone takes (N, 3, {self.input_size[0]}, {self.input_size[1]}) "
                f"pictures, got {tuple(x.shape)}"
            )
        x = x.detach().to("cpu", torch.float32)
        parts = []
        for chunk in x.split(RUN_PICTURES):
            images = chunk.contiguous().numpy()
            (features,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: images})
            parts.append(torch.from_numpy(features))
        return parts[0] if len(parts) == 1 else torch.cat(parts)


def relative_difference(ours: torch.Tensor, reference: torch.Tensor) -> float:
    """``max |ours - reference| / max |reference|``: 0.0 when both are all zeros, ``inf`` when
    the shapes differ or either holds a non-finite value."""
    if ours.shape != reference.shape:
        return math.inf
    ours, reference = ours.double(), reference.double()
    if not (torch.isfinite(ours).all() and torch.isfinite(reference).all()):
        return math.inf
    diff = float((ours - reference).abs().max()) if ours.numel() else 0.0
    scale = float(reference.abs().max()) if reference.numel() else 0.0
    if diff == 0.0:
        return 0.0
    return diff / scale if scale > 0 else math.inf


def _check_images(input_size: tuple[int, int], check_batch: torch.Tensor | None) -> torch.Tensor:
    """The first pictures of ``check_batch`` in its own memory format (the format the real
    batches reach the torch module in), or seeded noise."""
    if check_batch is not None and len(check_batch) > 0:
        return check_batch[:CHECK_IMAGES].detach().to("cpu", torch.float32)
    # A seeded generator of its own: the check never moves the run's random streams.
    generator = torch.Generator().manual_seed(0)
    return torch.randn(CHECK_IMAGES, 3, *input_size, generator=generator)


def _best_seconds(forward: Forward, images: torch.Tensor) -> float:
    best = math.inf
    for _ in range(TIMED_CALLS):
        start = time.perf_counter()
        forward(images)
        best = min(best, time.perf_counter() - start)
    return best


def _speedup(backbone: nn.Module, ort: OrtForward, images: torch.Tensor) -> float:
    """How many times faster ``ort`` ran ``images`` than ``backbone`` (both already warm)."""
    with torch.inference_mode(), torch.autocast("cpu", enabled=False):
        torch_s = _best_seconds(backbone, images)
        ort_s = _best_seconds(ort, images)
    return torch_s / ort_s if ort_s > 0 else math.inf


def _matching_session(
    backbone: nn.Module, model: bytes, images: torch.Tensor
) -> tuple[OrtForward | None, str]:
    """An ORT session on ``model`` whose output on ``images`` matched ``backbone``'s, with the
    one-line result; or None with the reason it did not."""
    try:
        forward = OrtForward(model)
        ours = forward(images)
    except Exception as exc:  # ORT refusing the graph or failing on it: torch runs instead
        return None, f"onnxruntime failed ({_one_line(exc)})"
    with torch.inference_mode(), torch.autocast("cpu", enabled=False):
        reference = backbone(images).float()
    difference = relative_difference(ours, reference)
    if not difference <= MATCH_RTOL:
        return None, (
            f"output differs from torch's by {difference:.2g} of its scale "
            f"(tolerance {MATCH_RTOL:g})"
        )
    return forward, f"matched torch to {difference:.1g} of the output scale"


def _exported_session(
    backbone: nn.Module, input_size: tuple[int, int], images: torch.Tensor
) -> tuple[OrtForward | None, str]:
    """:func:`_matching_session` on ``backbone``'s export: the one in the export cache
    (:mod:`tlgui.engine.onnx_cache`) when it holds one that matches, else a fresh export,
    which the cache then keeps."""
    cache = ExportCache.default()
    key = export_key(backbone, input_size, OPSET) if cache is not None else ""
    if cache is not None and (stored := cache.get(key)) is not None:
        forward, reason = _matching_session(backbone, stored, images)
        if forward is not None:
            return forward, f"{reason}, export from the cache"
        cache.discard(key)
    missing = _not_installed("onnx")
    if missing is not None:
        return None, missing
    try:
        model = export_frozen(backbone, input_size)
    except Exception as exc:  # any exporter failure means "this module does not export"
        return None, f"export failed ({_one_line(exc)})"
    forward, reason = _matching_session(backbone, model, images)
    if forward is not None and cache is not None:
        cache.put(key, model)
    return forward, reason


def _ort_or_reason(
    backbone: nn.Module,
    input_size: tuple[int, int],
    check_batch: torch.Tensor | None,
    timed: bool,
) -> tuple[OrtForward | None, str]:
    """An ORT forward that matched ``backbone`` on the check batch (and, when ``timed``, runs
    it :data:`MIN_SPEEDUP` times faster: measured on the check batch the first time this
    architecture runs on this machine, read from the :class:`~.onnx_cache.SpeedRecord`
    afterwards), with the one-line result; or None with the reason it is not used."""
    missing = onnxruntime_missing()
    if missing is not None:
        return None, missing
    record = SpeedRecord.default() if timed else None
    key = speed_key(backbone, input_size, torch.get_num_threads()) if record is not None else ""
    known = record.get(key) if record is not None else None
    if known is not None and not known >= MIN_SPEEDUP:  # no export, no session: torch runs
        return None, _as_fast(known, "measured before on this machine")
    images = _check_images(input_size, check_batch)
    forward, matched = _exported_session(backbone, input_size, images)
    if forward is None or not timed:
        return forward, matched
    if known is not None:
        return forward, f"{matched}, {known:.1f}x faster (measured before on this machine)"
    speedup = _speedup(backbone, forward, images)
    if record is not None:
        record.put(key, speedup)
    if not speedup >= MIN_SPEEDUP:
        return None, _as_fast(speedup, "measured now")
    return forward, f"{matched}, {speedup:.1f}x faster"


def _as_fast(speedup: float, when: str) -> str:
    return f"torch is as fast here (onnxruntime ran {speedup:.2f}x torch's speed, {when})"


def frozen_forward(
    backbone: nn.Module,
    input_size: int | tuple[int, int],
    backend: str = "auto",
    *,
    check_batch: torch.Tensor | None = None,
) -> tuple[Forward, BackendChoice]:
    """The forward to run the frozen ``backbone`` with for as long as its weights stay as they
    are, and which backend it is.

    ``backbone``: the module the torch path runs (a BatchNorm-folded copy or the backbone
    itself), frozen and in eval mode; it is returned as the torch forward. ``input_size``: the
    pictures' side. ``backend``: ``torch`` always returns the module; on a CPU module ``auto``
    returns ORT when it exports, matched torch on ``CHECK_IMAGES`` pictures of ``check_batch``
    (seeded noise when None) and ran them :data:`MIN_SPEEDUP` times faster, else the module
    with the reason; ``onnxruntime`` skips the timing and raises :class:`BackendError` where
    ``auto`` would fall back for any other reason.
    Off the CPU (CUDA, MPS) the GPU path stays on torch whatever was asked.

    The ORT forward returns float32 features on the CPU; the torch forward returns what the
    module returns, on its device. Callers run either under ``torch.inference_mode()``.
    """
    if backend not in BACKENDS:
        raise ValueError(
            f"unknown inference backend {backend!r}; choose one of {', '.join(BACKENDS)}"
        )
    if backend == "torch":
        return backbone, BackendChoice("torch", backend, "chosen")
    device = _module_device(backbone)
    if device.type != "cpu":
        return backbone, BackendChoice("torch", backend, f"{device.type} runs on torch")
    size = (input_size, input_size) if isinstance(input_size, int) else input_size
    forward, reason = _ort_or_reason(backbone, size, check_batch, timed=backend == "auto")
    if forward is not None:
        return forward, BackendChoice("onnxruntime", backend, reason)
    if backend == "onnxruntime":
        raise BackendError(f"cannot run the backbone on onnxruntime: {reason}")
    return backbone, BackendChoice("torch", backend, f"fell back to torch: {reason}")


__all__ = [
    "BACKENDS",
    "CHECK_IMAGES",
    "MATCH_RTOL",
    "MIN_SPEEDUP",
    "OPSET",
    "RUN_PICTURES",
    "BackendChoice",
    "BackendError",
    "Forward",
    "OrtForward",
    "export_frozen",
    "frozen_forward",
    "onnxruntime_missing",
    "relative_difference",
]
