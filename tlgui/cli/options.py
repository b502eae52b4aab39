"""The command line's parser. The training options are built from the config's field metadata
(:data:`tlgui.engine.config.FIELDS`): names, types, choices, ranges, defaults and help come
from there, so the CLI, the GUI and :meth:`TrainConfig.validate` allow the same values.

Building the parser imports no torch, so ``tlgui --help`` is quick.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from typing import Any

from .. import __version__
from ..engine.calibration import DEFAULT_UNSURE_BELOW
from ..engine.config import DEFAULT_VAL_SPLIT, DEVICES, FIELDS, FieldSpec, TrainConfig


class UsageError(Exception):
    """Bad usage or bad input: exit code 2 with this one-line message."""


class _Parser(argparse.ArgumentParser):
    """Usage errors are one line (``tlgui train: error: ...``) and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def _field_number(spec: FieldSpec) -> Callable[[str], Any]:
    """An argparse type for a number field: parse it and check the field's range."""
    kind = spec.kind

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            noun = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        problem = spec.range_problem(value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    return parse


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0 or math.isinf(value):
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def probability(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def cli_help(spec: FieldSpec) -> str:
    """The ``--help`` text of a field's option: its help sentence and, for a value, the
    default."""
    if spec.kind is bool:
        return spec.help
    return f"{spec.help.rstrip('.')} (default: %(default)s)."


def add_field_option(parser: argparse.ArgumentParser, spec: FieldSpec) -> None:
    """The option ``spec.cli`` for a :class:`TrainConfig` field, stored under the field's
    name."""
    assert spec.cli is not None
    if spec.kind is bool:  # a switch: on, or off for a field that is on by default
        action = "store_false" if spec.default else "store_true"
        parser.add_argument(spec.cli, dest=spec.name, action=action, help=cli_help(spec))
        return
    kwargs: dict[str, Any] = {"dest": spec.name, "default": spec.default, "help": cli_help(spec)}
    if spec.choices:
        kwargs["choices"] = list(spec.choices)
    elif spec.kind in (int, float):
        kwargs["type"] = _field_number(spec)
    parser.add_argument(spec.cli, **kwargs)


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The options that define a run, shared by ``train`` and ``lr-find``: one per
    :data:`FIELDS` entry with a CLI option, then the augmentation preset, the val split and
    the feature-cache switch, which are not single config fields."""
    from ..engine.augment import PRESET_NAMES

    for spec in FIELDS.values():
        if spec.cli:
            add_field_option(parser, spec)
    parser.add_argument(
        "--val-split",
        type=float,
        default=DEFAULT_VAL_SPLIT,
        help="fraction of each class held out when DATA has no val/ (default: %(default)s)",
    )
    parser.add_argument(
        "--augment",
        default="default",
        choices=list(PRESET_NAMES),
        help="augmentation preset (default: %(default)s)",
    )
    parser.add_argument("--no-augment", action="store_true", help="same as --augment none")
    parser.add_argument(
        "--train-resolution",
        type=float,
        default=None,
        metavar="F",
        help="side of the training crops as a share of the input size while "
        "the backbone trains, 0.5 to 1 (default: the preset's, 0.8 = 176 "
        "of 224 pixels; 1 = full size; a frozen backbone always gets "
        "full size)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="recompute the frozen backbone every batch (slower; for comparison)",
    )


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The :class:`TrainConfig` that the shared training options describe (validated)."""
    from dataclasses import replace

    from ..engine.augment import preset

    aug = preset("none" if args.no_augment else args.augment)
    if args.train_resolution is not None:
        aug = replace(aug, resolution=args.train_resolution)
    given = {name: getattr(args, name) for name, spec in FIELDS.items() if spec.cli}
    return checked(TrainConfig(**given, augment=aug.to_dict(), cache_features=not args.no_cache))


def checked(config: TrainConfig) -> TrainConfig:
    """``config`` once it is valid and its weights file exists; else :class:`UsageError` with
    the one-line reason (every way the CLI builds a config ends here)."""
    try:
        config.validate()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if config.weights not in ("imagenet", "none") and not os.path.isfile(config.weights):
        raise UsageError(f"weights file not found: {config.weights}")
    return config


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tlgui",
        description="Transfer learning for image classification. Without a command, opens "
        "the desktop app.",
    )
    p.add_argument("--version", action="version", version=f"tlgui {__version__}")
    p.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation offline (backbone, prediction, ONNX Runtime) and print "
        "one line; exit code 0 when it works",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    t = sub.add_parser(
        "train",
        help="train a model on a folder of images",
        description="Train on DATA: a folder with train/ and val/ (or valid/, "
        "validation/; optional test/) of class sub-folders, or a "
        "folder of class sub-folders split by --val-split.",
    )
    t.add_argument(
        "data", metavar="DATA", nargs="?", help="dataset folder (may be left out with --resume)"
    )
    t.add_argument(
        "--out",
        metavar="MODEL.pt",
        help="where to save the bundle (required, except with --resume)",
    )
    add_training_options(t)
    t.add_argument("--jsonl", action="store_true", help="one JSON object per line on stdout")
    t.add_argument(
        "--run-dir",
        metavar="DIR",
        help="run folder for the per-epoch resume checkpoint (default: a new "
        "time-stamped folder under $TLGUI_RUNS_DIR or the user data folder)",
    )
    t.add_argument(
        "--resume",
        metavar="RUN_DIR",
        help="continue an interrupted run from its folder, with its own settings and --out",
    )
    t.add_argument(
        "--config",
        metavar="RUN.json",
        help="run the saved run configuration in RUN.json (settings, DATA, split, --out); "
        "options given on the command line override the file's values",
    )

    lf = sub.add_parser(
        "lr-find",
        help="suggest a head learning rate (LR range test)",
        description="LR range test on DATA: the head's learning rate grows "
        "exponentially over --num-iter batches; prints the "
        "smoothed loss curve and the suggested LR. Takes the "
        "same options as train.",
    )
    lf.add_argument("data", metavar="DATA")
    add_training_options(lf)
    lf.add_argument(
        "--num-iter", type=positive_int, default=100, help="batches in the test (default 100)"
    )
    lf.add_argument("--start-lr", type=positive_float, default=1e-7)
    lf.add_argument("--end-lr", type=positive_float, default=10.0)
    lf.add_argument(
        "--json",
        action="store_true",
        help='print {"suggested_lr": F, "lrs": [...], "losses": [...]}',
    )

    pr = sub.add_parser("predict", help="predict classes of images with a trained model")
    pr.add_argument("model", metavar="MODEL.pt")
    pr.add_argument("paths", metavar="PATH", nargs="+", help="image files or folders")
    pr.add_argument("--top-k", type=positive_int, default=3)
    pr.add_argument("--csv", metavar="FILE", help="also write the results as CSV")
    pr.add_argument("--json", action="store_true", help="print a JSON list")
    pr.add_argument("--tta", action="store_true", help="average with the mirrored image")
    pr.add_argument(
        "--unsure-below",
        metavar="F",
        type=probability,
        default=DEFAULT_UNSURE_BELOW,
        help="mark a prediction whose calibrated top probability is below F as not sure "
        "(\"unsure\" in --json; default %(default)s)",
    )
    pr.add_argument(
        "--cam",
        metavar="DIR",
        help="write a Grad-CAM overlay PNG per image into DIR (and cam_peak, the "
        "heat map's [x, y] as fractions of the image, in --json)",
    )
    pr.add_argument("--device", default="auto", choices=list(DEVICES))
    add_field_option(pr, FIELDS["inference_backend"])

    ev = sub.add_parser("evaluate", help="accuracy, confusion matrix and per-class metrics")
    ev.add_argument("model", metavar="MODEL.pt")
    ev.add_argument(
        "data",
        metavar="DATA",
        help="dataset folder; its test/ split if present, else val/, else all "
        "images of its class folders",
    )
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--tta", action="store_true", help="average with the mirrored image")
    ev.add_argument("--device", default="auto", choices=list(DEVICES))
    add_field_option(ev, FIELDS["inference_backend"])

    inf = sub.add_parser("info", help="show what a model bundle holds")
    inf.add_argument("model", metavar="MODEL.pt")
    inf.add_argument("--json", action="store_true")

    from .doctor import add_doctor_parser

    add_doctor_parser(sub)

    from .inspect import add_inspect_parser  # (it imports this module)

    add_inspect_parser(sub)
    from .export import add_export_parser

    add_export_parser(sub)
    from .codegen import add_export_code_parser

    add_export_code_parser(sub)
    return p
