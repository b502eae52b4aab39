"""Exported frozen backbones on disk: a second frozen phase on the same module opens the stored
graph without exporting, a stored graph that does not match is replaced, keys follow the
weights, the folder stays under its budget, and a cache that cannot be written costs nothing.
The speed record beside it: ``auto`` times an architecture once per machine, and one torch
runs as fast is not exported again."""

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
from tlgui.engine.onnx_cache import ExportCache, SpeedRecord, export_key, speed_key

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


def _speedup_returning(value: float):
    def speedup(backbone, forward, images):
        return value

    return speedup


def _no_timing(backbone, forward, images):
    raise AssertionError("timed again: the recorded speed-up should have been used")


def test_auto_times_an_architecture_once_and_reads_it_afterwards(cache_on, monkeypatch) -> None:
    folder, exports = cache_on
    monkeypatch.setattr(onnx_backend, "_speedup", _speedup_returning(3.0))
    _forward, choice = frozen_forward(_Pooled(seed=0).eval(), 32, "auto")
    assert choice.name == "onnxruntime" and choice.reason.endswith("3.0x faster")
    key = speed_key(_Pooled(), (32, 32), torch.get_num_threads())
    assert SpeedRecord(folder / "speed").get(key) == 3.0
    monkeypatch.setattr(onnx_backend, "_speedup", _no_timing)
    # Other weights, same architecture: exported and checked, not timed.
    forward, choice = frozen_forward(_Pooled(seed=4).eval(), 32, "auto")
    assert isinstance(forward, OrtForward) and len(exports) == 2
    assert choice.reason.endswith("3.0x faster (measured before on this machine)")


def test_an_architecture_torch_runs_as_fast_is_not_exported_again(cache_on, monkeypatch) -> None:
    _folder, exports = cache_on
    monkeypatch.setattr(onnx_backend, "_speedup", _speedup_returning(0.95))
    net = _Pooled().eval()
    forward, choice = frozen_forward(net, 32, "auto")
    assert forward is net and "0.95x torch's speed, measured now" in choice.reason
    assert len(exports) == 1
    monkeypatch.setattr(onnx_backend, "_speedup", _no_timing)
    other = _Pooled(seed=2).eval()
    forward, choice = frozen_forward(other, 32, "auto")
    assert forward is other and choice.name == "torch"
    assert "measured before on this machine" in choice.reason and len(exports) == 1
    # Forcing onnxruntime ignores the record: the user asked for it.
    forced, choice = frozen_forward(net, 32, "onnxruntime")
    assert isinstance(forced, OrtForward) and choice.name == "onnxruntime"


def test_speed_keys_follow_architecture_size_and_threads_not_weights(tmp_path) -> None:
    key = speed_key(_Pooled(seed=0), (32, 32), 2)
    assert key == speed_key(_Pooled(seed=9), (32, 32), 2)
    assert key != speed_key(_Pooled(), (64, 64), 2)
    assert key != speed_key(_Pooled(), (32, 32), 4)
    wrapped = nn.Sequential()
    wrapped.add_module("conv", _Pooled().conv)
    assert key != speed_key(wrapped, (32, 32), 2)
    record = SpeedRecord(tmp_path)
    assert record.get(key) is None
    record.put(key, float("nan"))
    record.put(key, 0.0)
    assert record.get(key) is None and not list(tmp_path.iterdir())
    (tmp_path / f"{key}.json").write_text("{not json")
    assert record.get(key) is None
    record.put(key, 1.234567)
    assert record.get(key) == 1.2346
