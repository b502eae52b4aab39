"""Shared fixtures: offscreen Qt, an empty TORCH_HOME, tiny generated image datasets."""

from __future__ import annotations

import os
import tempfile
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


@pytest.fixture
def tiny_dataset(tmp_path: Path) -> Path:
    """Two colour classes, train/val layout, 8 + 4 images each, 64 px."""
    return make_dataset(tmp_path / "data", n_train=8, n_val=4)


@pytest.fixture
def flat_dataset(tmp_path: Path) -> Path:
    """Class folders only (no train/val): the app splits them."""
    return make_dataset(tmp_path / "flat", n_train=10, n_val=0, layout="flat")
