"""Engine tests' shared set-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _onnxruntime_counts_as_fast() -> Iterator[None]:
    """``auto`` runs ONNX Runtime only where it measured faster than torch
    (:data:`tlgui.engine.onnx_backend.MIN_SPEEDUP`); on the tests' tiny networks that timing is
    per-call overhead and noise, so these tests count any matching ORT session as fast enough
    and get a deterministic choice. ``test_onnx_backend`` checks the speed rule itself.

    Set and restored by hand, not with ``monkeypatch``: an autouse fixture's ``monkeypatch``
    would be torn down after the test's own fixtures, undoing their patches too late."""
    from tlgui.engine import onnx_backend

    saved = onnx_backend.MIN_SPEEDUP
    onnx_backend.MIN_SPEEDUP = 0.0
    yield
    onnx_backend.MIN_SPEEDUP = saved
