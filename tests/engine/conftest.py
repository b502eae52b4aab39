"""Engine tests' shared set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _onnxruntime_without_a_race() -> Iterator[None]:
    """``auto`` races ONNX Runtime against torch on a phase's first batches and keeps the faster
    (:class:`tlgui.engine.onnx_backend.RacingForward`); on the tests' tiny networks that timing
    is per-call overhead and noise, so these tests settle without racing
    (:data:`~tlgui.engine.onnx_backend.RACE_BATCHES` 0: ORT whenever it matched) and get a
    deterministic choice. ``test_onnx_backend`` checks the race itself.

    Set and restored by hand, not with ``monkeypatch``: an autouse fixture's ``monkeypatch``
    would be torn down after the test's own fixtures, undoing their patches too late."""
    from tlgui.engine import onnx_backend

    saved = onnx_backend.RACE_BATCHES
    onnx_backend.RACE_BATCHES = 0
    yield
    onnx_backend.RACE_BATCHES = saved
