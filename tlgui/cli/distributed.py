"""A command run as one of several processes under ``torchrun``
(:mod:`tlgui.engine.train.distributed`): join the process group for the command, and when it
fails, say why in every process (the first failed process's message) before any exits."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..engine.errors import with_type
from .options import UsageError

if TYPE_CHECKING:
    from ..engine.train.distributed import Distributed


def run_distributed(command: str, device: str, work: Callable[[Distributed], int]) -> int:
    """``work(dist)`` inside the run's process group (``dist`` is the single process outside
    ``torchrun``, where exceptions pass through unchanged to :func:`tlgui.cli.main`)."""
    from ..engine.train.distributed import session

    with session(device) as dist:
        try:
            return work(dist)
        except (Exception, KeyboardInterrupt) as exc:
            if not dist.active:
                raise
            return _report_failure(command, dist, exc)


def _report_failure(command: str, dist: Distributed, exc: BaseException) -> int:
    """Publish this process's failure, print the run's first failure as ``main`` prints an
    error (exit 2 for bad input and training errors, 1 for an unexpected error, 130 for
    Ctrl-C), then wait until every process has printed it."""
    from ..engine.trainer import TrainingError

    expected = isinstance(exc, UsageError | TrainingError)
    message = str(exc) if expected else with_type(exc)
    final = dist.failure(exc, message)
    if isinstance(final, KeyboardInterrupt):
        code = 130
    elif isinstance(final, UsageError | TrainingError):
        print(f"tlgui {command}: error: {final}", file=sys.stderr, flush=True)
        code = 2
    else:
        if os.environ.get("TLGUI_DEBUG"):
            traceback.print_exception(final)
        print(f"tlgui {command}: unexpected error: {message}", file=sys.stderr, flush=True)
        code = 1
    dist.wait_for_peers()
    return code


__all__ = ["run_distributed"]
