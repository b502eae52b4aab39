"""A guard against a Qt-binding bug that aborts long sessions.

PySide6 6.12.0 on CPython before 3.12 gives up one reference to ``None`` on every call of a
method that returns nothing (``setText``, ``setValue``, ``processEvents``, ...) and one to
``True`` on every signal ``emit``. Before 3.12 those objects are not immortal, so once enough
calls have gone by their count reaches zero and the interpreter aborts ("Fatal Python error:
none_dealloc" or "bool_dealloc"), taking the window and the run in progress with it.
Measured in the app (30 s of training, its progress updates and a 10 ms timer): ``None`` lost
4,259 of its 148,586 references, ``True`` 418 of 33,918; 1,000 ``setText`` calls take 1,000
(PySide6 6.11.2 on the same Python: none lost).

``pyproject.toml`` keeps pip from installing that release on those Pythons. This module
covers an environment that has it anyway: :func:`binding_drops_references` measures the
leak, and :func:`guard_singletons` gives ``None``, ``True`` and ``False`` a reference count no
session can use up, as CPython 3.12 does for them by design. Qt only, no torch.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable

# References added to each singleton: at a thousand lost per second, 35 years of headroom.
HEADROOM = 2**40
_PROBE_CALLS = 64


def binding_drops_references(call: Callable[[], object] | None = None) -> bool:
    """``True`` when ``call`` (by default a Qt method that returns nothing) releases a
    reference to ``None`` it never took: the count falls on at least half of 64 calls."""
    if call is None:
        from PySide6.QtCore import QObject

        probe = QObject()

        def call() -> None:
            probe.setObjectName("probe")

    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        call()
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


def guard_singletons() -> bool:
    """Add :data:`HEADROOM` references to ``None``, ``True`` and ``False``; ``True`` when done.

    Only on CPython before 3.12, where a reference count is the object's first field
    (``id`` is its address) and these objects are never freed anyway; elsewhere they are
    immortal or counted differently and nothing is touched."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for obj in (None, True, False):
        ctypes.c_ssize_t.from_address(id(obj)).value += HEADROOM
    return True


def check_binding() -> bool:
    """Called first thing by the app: guard when the installed binding has the bug, and say
    so in one line on stderr. ``True`` when the guard was applied."""
    if not binding_drops_references() or not guard_singletons():
        return False
    from PySide6 import __version__

    print(f"tlgui: PySide6 {__version__} drops references to None and True on Python "
          f"{sys.version_info.major}.{sys.version_info.minor}, which would abort a long "
          "session; guarded (install another PySide6-Essentials release, or use Python 3.12+, "
          "to avoid it).", file=sys.stderr)
    return True
