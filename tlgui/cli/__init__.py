"""Command line: ``tlgui`` (the GUI) and ``tlgui train|lr-find|predict|evaluate|info``.

Exit codes: 0 success; 2 bad usage or bad input (one line on stderr, no traceback); 1 an
unexpected error. With ``--jsonl``, ``train`` prints one JSON object per line on stdout and
nothing else there. torch is imported only inside the sub-commands, so ``--help`` is quick.

This is one of tlgui's two entry points (the other is :mod:`tlgui.gui.app`): the process-wide
settings of :mod:`tlgui.process` are applied here, never by the engine.

Modules: :mod:`.options` (the parser, built from the config's field metadata), :mod:`.train`
(``train``, ``lr-find``), :mod:`.models` (``predict``, ``evaluate``, ``info``), :mod:`.export`
(``export``), :mod:`.selftest` (``--self-test``). Without a display, ``tlgui`` says so in one
line (:mod:`tlgui.gui.display`) instead of starting Qt.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from ..process import quiet_export_warnings, quiet_image_warnings
from .codegen import cmd_export_code
from .doctor import cmd_doctor
from .export import cmd_export
from .inspect import cmd_inspect
from .models import cmd_evaluate, cmd_info, cmd_predict, evaluation_samples
from .options import UsageError, add_training_options, build_parser, config_from_args
from .train import cmd_lr_find, cmd_train


def run_gui() -> int:
    from ..gui.display import display_problem  # Qt-free: asked before Qt can abort

    problem = display_problem()
    if problem:
        commands = " | ".join(COMMANDS)
        print(
            f"tlgui: the desktop app cannot start: {problem}. The command line works "
            f"without a display: tlgui {commands} (tlgui --help)",
            file=sys.stderr,
        )
        return 2
    try:
        from ..gui.app import main as gui_main
    except ImportError as exc:
        print(
            f"tlgui: the desktop app cannot start ({exc}); the command line works: tlgui --help",
            file=sys.stderr,
        )
        return 2
    return gui_main()


COMMANDS: dict[str, Callable[..., int]] = {
    "train": cmd_train,
    "lr-find": cmd_lr_find,
    "predict": cmd_predict,
    "evaluate": cmd_evaluate,
    "info": cmd_info,
    "doctor": cmd_doctor,
    "inspect": cmd_inspect,
    "export": cmd_export,
    "export-code": cmd_export_code,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        return run_gui()
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv  # the words as given: `train --config` tells given options from defaults
    if args.self_test:
        from .selftest import cmd_self_test

        quiet_export_warnings()
        return cmd_self_test()
    if args.command is None:
        return run_gui()
    quiet_image_warnings()
    quiet_export_warnings()
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"tlgui {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # unexpected: one line, exit 1 (TLGUI_DEBUG=1 for the traceback)
        if os.environ.get("TLGUI_DEBUG"):
            raise
        print(
            f"tlgui {args.command}: unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr
        )
        return 1


__all__ = [
    "COMMANDS",
    "UsageError",
    "add_training_options",
    "build_parser",
    "config_from_args",
    "evaluation_samples",
    "main",
    "run_gui",
]
