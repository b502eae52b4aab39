"""``tlgui train --config RUN.json [DATA] [--out M.pt]``: a saved run configuration
(:mod:`tlgui.engine.run_file`) as a new run.

Precedence: what the command line gives explicitly wins, then the file, then the defaults.
"Explicitly" means the option was typed, even with its default value (``--epochs 10`` beats
the file's ``"epochs": 5``); an option left out never overrides the file.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from ..engine.config import FIELDS, TrainConfig
from .options import UsageError, build_parser, checked, config_from_args

# Options that change the augmentation spec, and the switch that turns the feature cache off.
_AUGMENT_OPTIONS = {"augment", "no_augment"}


def given_options(args: argparse.Namespace) -> set[str]:
    """The ``train`` options (argparse destinations) that were typed on the command line.
    Without the typed words (a namespace not made by :func:`tlgui.cli.main`), none."""
    words = getattr(args, "argv", None)
    if not words or args.command not in words:
        return set()
    train = _subparser(build_parser(), args.command)
    for action in train._actions:  # no defaults: what is left in the namespace was typed
        action.default = argparse.SUPPRESS
    return set(vars(train.parse_args(words[words.index(args.command) + 1 :])))


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    # argparse keeps its sub-commands and actions in private attributes; no public accessor
    # tells a typed option from its default.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise LookupError(name)


def run_file_config(args: argparse.Namespace) -> TrainConfig:
    """The config of ``train --config``: the file's settings with the typed options on top.
    DATA, ``--out`` and ``--val-split`` come from the file where they were not typed (``args``
    is updated). Bad usage or an unusable file is a :class:`UsageError` (exit 2)."""
    from ..engine.augment import AugmentSpec
    from ..engine.run_file import RunFile, RunFileError

    try:
        saved = RunFile.load(args.config)
    except RunFileError as exc:
        raise UsageError(str(exc)) from None
    given = given_options(args)
    if args.data is None:
        args.data = saved.data
    if args.out is None:
        args.out = saved.out
    if "val_split" not in given and saved.val_split is not None:
        args.val_split = saved.val_split
    typed = config_from_args(args).to_dict()  # defaults + the typed options
    values: dict[str, Any] = saved.config.to_dict()
    for name, spec in FIELDS.items():
        if spec.cli and name in given:
            values[name] = typed[name]
    if given & _AUGMENT_OPTIONS:
        values["augment"] = typed["augment"]
    if "train_resolution" in given:
        spec = replace(AugmentSpec.from_dict(values["augment"]), resolution=args.train_resolution)
        values["augment"] = spec.to_dict()
    if "no_cache" in given:
        values["cache_features"] = False
    return checked(TrainConfig(**values))


__all__ = ["given_options", "run_file_config"]
