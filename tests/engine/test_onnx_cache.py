"""Exported frozen backbones on disk: a second frozen phase on the same module opens the stored
graph without exporting, a stored graph that does not match is replaced, keys follow the
weights, the folder stays under its budget, and a cache that cannot be written costs nothing."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tlgui.engine import onnx_backend
from tlgui.engine.onnx_backend import (
    MATCH_RTOL,
    OPSET,
    OrtForward,
    frozen_forward,
    relative_difference,
)
from tlgui.engine.onnx_backend import export_frozen as real_export
from tlgui.engine.onnx_cache import ExportCache, export_key

pytest.importorskip("onnxruntime")
pytestmark = pytest.mark.filterwarnings(
    "ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning",
    "ignore:The feature will be removed:DeprecationWarning",
)


class _Pooled(nn.Module):
    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x)).mean(dim=(2, 3))


@pytest.fixture
def cache_on(monkeypatch, tmp_path):
    """The export cache switched on in a folder of its own; counts the real exports."""
    monkeypatch.setenv("TLGUI_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TLGUI_ONNX_CACHE", "on")
    exports: list[nn.Module] = []

    def counting_export(module, size, **kwargs):
        exports.append(module)
        return real_export(module, size, **kwargs)

    monkeypatch.setattr(onnx_backend, "export_frozen", counting_export)
    return tmp_path / "onnx", exports


def _pictures(n: int = 3) -> torch.Tensor:
    return torch.randn(n, 3, 32, 32, generator=torch.Generator().manual_seed(1))


def test_a_second_frozen_phase_opens_the_stored_export(cache_on) -> None:
    folder, exports = cache_on
    net = _Pooled().eval()
    _first, choice = frozen_forward(net, 32, "onnxruntime")
    assert len(exports) == 1 and len(list(folder.glob("*.onnx"))) == 1
    assert "from the cache" not in choice.reason
    second, choice = frozen_forward(_Pooled().eval(), 32, "onnxruntime")  # same weights
    assert len(exports) == 1, "the stored graph was used, not a new export"
    assert isinstance(second, OrtForward) and choice.reason.endswith("export from the cache")
    with torch.inference_mode():
        x = _pictures()
        assert relative_difference(second(x), net(x)) <= MATCH_RTOL


def test_a_stored_graph_that_does_not_match_is_exported_afresh(cache_on) -> None:
    folder, exports = cache_on
    net = _Pooled(seed=0).eval()
    key = export_key(net, (32, 32), OPSET)
    # Another network's graph under this network's key: the check batch must catch it.
    ExportCache(folder).put(key, real_export(_Pooled(seed=5).eval(), 32))
    forward, choice = frozen_forward(net, 32, "onnxruntime")
    assert len(exports) == 1 and "from the cache" not in choice.reason
    with torch.inference_mode():
        x = _pictures()
        assert relative_difference(forward(x), net(x)) <= MATCH_RTOL
    assert ExportCache(folder).get(key) == real_export(net, 32), "the good graph replaced it"


def test_keys_follow_weights_size_and_architecture() -> None:
    a, b = _Pooled(seed=0), _Pooled(seed=1)
    assert export_key(a, (32, 32), OPSET) == export_key(_Pooled(seed=0), (32, 32), OPSET)
    assert export_key(a, (32, 32), OPSET) != export_key(b, (32, 32), OPSET)
    assert export_key(a, (32, 32), OPSET) != export_key(a, (64, 64), OPSET)
    assert export_key(a, (32, 32), OPSET) != export_key(a, (32, 32), OPSET + 1)
    wrapped = nn.Sequential()
    wrapped.add_module("conv", a.conv)
    assert export_key(a, (32, 32), OPSET) != export_key(wrapped, (32, 32), OPSET)


def test_the_least_recently_used_graphs_go_over_the_budget(tmp_path) -> None:
    cache = ExportCache(tmp_path)
    cache.max_bytes = 2500
    for key in ("a", "b", "c"):
        assert cache.put(key, bytes(1000))
    assert cache.get("a") is None and cache.get("b") is not None and cache.get("c") is not None
    cache.get("b")  # b is now the most recently used: d pushes c out, not b
    import os
    import time

    os.utime(tmp_path / "c.onnx", (time.time() - 60, time.time() - 60))
    cache.put("d", bytes(1000))
    assert cache.get("c") is None and cache.get("b") is not None


def test_an_unwritable_or_switched_off_cache_costs_nothing(monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert ExportCache(blocker / "onnx").put("k", b"graph") is False
    assert ExportCache(blocker / "onnx").get("k") is None
    monkeypatch.setenv("TLGUI_CACHE_DIR", str(blocker))
    monkeypatch.setenv("TLGUI_ONNX_CACHE", "on")
    forward, choice = frozen_forward(_Pooled().eval(), 32, "onnxruntime")
    assert isinstance(forward, OrtForward) and choice.name == "onnxruntime"
    monkeypatch.setenv("TLGUI_ONNX_CACHE", "off")
    assert ExportCache.default() is None
