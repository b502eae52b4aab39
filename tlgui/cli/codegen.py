"""``tlgui export-code (MODEL.pt | --config RUN.json) --flavor pytorch|lightning --out train.py``:
a run's recipe as a standalone training script (see :mod:`tlgui.engine.codegen`)."""

from __future__ import annotations

import argparse
import sys

from .options import UsageError


def add_export_code_parser(sub: argparse._SubParsersAction) -> None:
    from ..engine.codegen import FLAVORS, LANGS

    p = sub.add_parser(
        "export-code",
        help="write a model's or a run's recipe as a standalone training script",
        description="Write the recipe of MODEL.pt (a trained bundle) or of RUN.json (a run "
        "folder's run.json, or a JSON file of training settings) as a readable train.py: "
        "plain PyTorch, or PyTorch Lightning. Run it with: python train.py DATA "
        "[--epochs N] [--out model.pt].",
    )
    p.add_argument("model", metavar="MODEL.pt", nargs="?", help="a trained model bundle")
    p.add_argument("--config", metavar="RUN.json", help="a run.json or settings file instead")
    p.add_argument("--flavor", choices=list(FLAVORS), default="pytorch")
    p.add_argument(
        "--out", metavar="train.py", required=True, help="where to write the script (- for stdout)"
    )
    p.add_argument(
        "--lang", choices=list(LANGS), default="en", help="language of the comments (default en)"
    )


def cmd_export_code(args: argparse.Namespace) -> int:
    from ..engine.codegen import CodegenError, generate, load_recipe
    from ..engine.fileio import atomic_write

    if (args.model is None) == (args.config is None):
        raise UsageError("give either MODEL.pt or --config RUN.json")
    try:
        text = generate(load_recipe(args.model or args.config), args.flavor, args.lang)
    except CodegenError as exc:
        raise UsageError(str(exc)) from None
    if args.out == "-":
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(args.out, lambda f: f.write(text.encode("utf-8")))
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    lines = text.count("\n")
    print(f"wrote {args.out}: {args.flavor} training script, {lines} lines", file=sys.stderr)
    return 0
