"""A frozen backbone as ONNX bytes, in memory: the one export both the ONNX Runtime backend
(:mod:`tlgui.engine.onnx_backend`) and File ▸ Export (:mod:`tlgui.engine.export`) run.

The TorchScript-based exporter at opset :data:`OPSET` exports every registered backbone, needs
only the ``onnx`` package besides torch, and takes a fraction of the dynamo exporter's time.
The batch axis is dynamic; the picture side is fixed at the export's size (ORT plans its
kernels and memory for that shape, and VGG's 7x7 adaptive pooling exports only with known
sides).
"""

from __future__ import annotations

import inspect
import io
import threading

import torch
from torch import nn

OPSET = 17
"""ONNX opset of the export: supported by every ORT release tlgui accepts (1.23 and later)."""

INPUT_NAME, OUTPUT_NAME = "images", "features"
"""The graph's input and (by default) output names."""

# torch 2.5 and later pick the exporter with ``dynamo`` (and default to the dynamo one from
# 2.9); earlier releases have only the TorchScript-based one and no such argument.
# torch's ONNX exporter keeps process-wide state while it runs (it refuses to start while
# another export is under way: "GLOBALS.in_onnx_export must be False"), so exports from two
# threads (a prediction's backend check while File ▸ Export runs) take turns.
_EXPORT_LOCK = threading.Lock()

_TORCHSCRIPT_EXPORTER: dict[str, bool] = (
    {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
)


def export_frozen(
    backbone: nn.Module, input_size: int | tuple[int, int], *, output_name: str = OUTPUT_NAME
) -> bytes:
    """``backbone`` (on the CPU) as ONNX bytes: input ``images`` (N, 3, H, W) with N dynamic
    and H x W = ``input_size``, output ``output_name`` (``features``); weights in eval mode,
    constants folded. :mod:`tlgui.engine.export` exports whole models with these settings.

    The module is exported as it is: a BatchNorm-folded copy exports fewer nodes, an unfolded
    one works as well (ORT folds BatchNorm into the convolutions itself). Its train/eval flag is
    restored afterwards. Raises whatever the exporter raises for a module it cannot export.
    """
    height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
    example = torch.zeros(1, 3, height, width)
    was_training = backbone.training
    buffer = io.BytesIO()
    with _EXPORT_LOCK:
        try:
            backbone.eval()
            # Outside inference mode and autocast: the exporter traces ordinary float32 tensors.
            with torch.inference_mode(False), torch.no_grad(), torch.autocast("cpu", enabled=False):
                torch.onnx.export(
                    backbone,
                    (example,),
                    buffer,
                    **_TORCHSCRIPT_EXPORTER,
                    opset_version=OPSET,
                    input_names=[INPUT_NAME],
                    output_names=[output_name],
                    dynamic_axes={INPUT_NAME: {0: "batch"}, output_name: {0: "batch"}},
                )
        finally:
            backbone.train(was_training)
    return buffer.getvalue()


__all__ = ["INPUT_NAME", "OPSET", "OUTPUT_NAME", "export_frozen"]
