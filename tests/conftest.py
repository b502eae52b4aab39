"""Shared fixtures: offscreen Qt, an empty TORCH_HOME, tiny generated image datasets."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
# Tests never download: torchvision weights would go to this empty folder and fail offline.
os.environ["TORCH_HOME"] = tempfile.mkdtemp(prefix="tlgui-torch-home-")
# Run folders (resume checkpoints) of CLI/GUI runs go here, not into the user's data folder.
os.environ["TLGUI_RUNS_DIR"] = tempfile.mkdtemp(prefix="tlgui-runs-")
# tlgui's cache (stored features, near-duplicate groups, exported graphs) goes here; the on-disk
# feature store and the export cache are off, so every feature pass computes and every frozen
# phase exports, unless a test turns them on (tests/engine/test_doctor.py, test_onnx_cache.py).
os.environ["TLGUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="tlgui-cache-")
os.environ["TLGUI_FEATURE_STORE"] = "off"
os.environ["TLGUI_ONNX_CACHE"] = "off"
os.environ.setdefault("TLGUI_SETTINGS_ORG", "tlgui-tests")

from tests.helpers import make_dataset, make_image

__all__ = ["make_dataset", "make_image"]


@pytest.fixture(autouse=True)
def _onnxruntime_counts_as_fast() -> Iterator[None]:
    """``auto`` runs ONNX Runtime only where it measured it faster than torch
    (``tlgui.engine.onnx_backend._speedup``, :data:`~tlgui.engine.onnx_backend.MIN_SPEEDUP`);
    on the tests' tiny networks and pictures that timing is per-call overhead and noise, and
    it costs a few torch forwards per frozen phase. In this process every matching ORT session
    counts as fast, untimed, so the choice is deterministic; ``test_onnx_backend`` and
    ``test_onnx_cache`` check the speed rule itself. (Runs in a subprocess, ``tlgui train``
    from the CLI tests, still time.)

    Set and restored by hand, not with ``monkeypatch``: an autouse fixture's ``monkeypatch``
    would be torn down after the test's own fixtures, undoing their patches too late."""
    from tlgui.engine import onnx_backend

    saved = onnx_backend._speedup
    onnx_backend._speedup = lambda backbone, forward, images: math.inf
    yield
    onnx_backend._speedup = saved


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """Two colour classes, train/val layout, 8 + 4 images each, 64 px."""
    return make_dataset(tmp_path / "data", n_train=8, n_val=4)


@pytest.fixture
def flat_dataset(tmp_path: Path) -> Path:
    """Class folders only (no train/val): the app splits them."""
    return make_dataset(tmp_path / "flat", n_train=10, n_val=0, layout="flat")
