"""``tlgui export MODEL.pt --format torchscript|onnx --out FILE``: the model for use without
tlgui, with its JSON sidecar ``FILE.json`` (:mod:`tlgui.engine.export`).

Prints one line: what was written and how the export matched the bundle on the check inputs.
A bundle that cannot be read, a model that does not export, or an export that does not match
is exit code 2 with one line, and nothing is written.
"""

from __future__ import annotations

import argparse
import json

from .options import UsageError


def add_export_parser(sub: argparse._SubParsersAction) -> None:
    """The ``export`` sub-command's options."""
    from ..engine.config import EXPORT_FORMATS

    ex = sub.add_parser(
        "export",
        help="export a model as TorchScript or ONNX, verified against the bundle",
        description="Write MODEL.pt's network as TorchScript or ONNX (input: the normalised "
        "NCHW float32 batch of the model's eval transform; output: logits) and FILE.json "
        "beside it (classes, input size, mean/std, resize rule). The export is run on sample "
        "inputs and must match the bundle, or nothing is written.",
    )
    ex.add_argument("model", metavar="MODEL.pt")
    ex.add_argument("--format", required=True, choices=list(EXPORT_FORMATS), dest="fmt")
    ex.add_argument("--out", required=True, metavar="FILE", help="the exported model file")
    ex.add_argument("--json", action="store_true", help="print the result as one JSON object")


def cmd_export(args: argparse.Namespace) -> int:
    from ..engine.checkpoint import BundleError, load_bundle
    from ..engine.export import ExportError, export_bundle

    try:
        result = export_bundle(load_bundle(args.model), args.fmt, args.out)
    except (BundleError, ExportError) as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(
            json.dumps(
                {
                    "path": result.path,
                    "sidecar": result.sidecar,
                    "format": result.fmt,
                    "bytes": result.bytes,
                    "inputs": result.inputs,
                    "max_relative_difference": result.difference,
                    "runtime": result.runtime,
                }
            )
        )
    else:
        print(result.describe())
    return 0
