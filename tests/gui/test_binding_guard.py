"""The Qt binding must not release references it never took (tlgui/gui/binding_guard.py)."""

from __future__ import annotations

import ctypes
import sys

import pytest

from tlgui.gui.binding_guard import HEADROOM, binding_drops_references, guard_singletons

MORTAL_SINGLETONS = sys.implementation.name == "cpython" and sys.version_info < (3, 12)


def test_the_installed_binding_keeps_its_references(qapp) -> None:
    """PySide6 6.12.0 on Python < 3.12 fails this; pyproject.toml keeps pip away from it."""
    assert not binding_drops_references()


@pytest.mark.skipif(not MORTAL_SINGLETONS, reason="None is immortal: no leak can be seen")
def test_detection_sees_a_call_that_releases_none() -> None:
    decref, incref = ctypes.pythonapi.Py_DecRef, ctypes.pythonapi.Py_IncRef
    decref.argtypes = incref.argtypes = [ctypes.py_object]
    calls = []

    def leaking() -> None:
        calls.append(1)
        decref(None)

    try:
        assert binding_drops_references(leaking)
    finally:
        for _ in calls:
            incref(None)
    assert calls
    assert not binding_drops_references(lambda: None)


def test_guard_gives_the_singletons_headroom() -> None:
    before = [sys.getrefcount(o) for o in (None, True, False)]
    applied = guard_singletons()
    gained = [sys.getrefcount(o) - b for o, b in zip((None, True, False), before, strict=True)]
    if MORTAL_SINGLETONS:
        assert applied
        assert all(abs(g - HEADROOM) < 10_000 for g in gained), gained
    else:
        assert not applied
