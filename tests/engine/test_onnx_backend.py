"""The frozen forward on ONNX Runtime: equal to torch's for every registered backbone, forced
backends, and the fallback to torch (with its one-line reason) on a mismatch, on an export
failure and without onnxruntime."""

from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from tlgui.engine import onnx_backend
from tlgui.engine.backbones import BACKBONES, build_backbone
from tlgui.engine.frozen import fold_batchnorm
from tlgui.engine.onnx_backend import (
    MATCH_RTOL,
    BackendChoice,
    BackendError,
    OrtForward,
    frozen_forward,
    relative_difference,
)

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

# The TorchScript-based exporter announces its deprecation and notes a constant it leaves
# unfolded in EfficientNet-Lite0 on every export; neither is what these tests check.
pytestmark = pytest.mark.filterwarnings(
    "ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning",
    "ignore:The feature will be removed:DeprecationWarning",
    "ignore:Constant folding - Only steps=1:UserWarning",
)

REAL_SPEEDUP = onnx_backend._speedup  # read at import: tests/conftest.py stands in an untimed one

# The smallest side each architecture exports at: VGG's 7x7 adaptive pooling needs a feature
# map whose side is a multiple of 7, so 224 px; the others pool globally and take 64 px.
SIDES = {name: 224 if name == "vgg16" else 64 for name in BACKBONES}


def _frozen(name: str) -> nn.Module:
    """The module the engine runs a frozen backbone through: random weights, BatchNorm folded,
    channels_last."""
    torch.manual_seed(0)
    folded, _pairs = fold_batchnorm(build_backbone(name, "none"))
    return folded.to(memory_format=torch.channels_last)


def _pictures(count: int, side: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(count, 3, side, side, generator=torch.Generator().manual_seed(seed))


class _Pooled(nn.Module):
    """A tiny CPU "backbone": conv + ReLU + global average pooling."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x)).mean(dim=(2, 3))


class _DoesNotExport(_Pooled):
    """Runs on torch, but ONNX has no running maximum (``aten::cummax``)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x).cummax(dim=1).values


@pytest.mark.parametrize("name", list(BACKBONES))
def test_onnxruntime_equals_torch_for_every_backbone(name: str) -> None:
    side = SIDES[name]
    frozen = _frozen(name)
    forward, choice = frozen_forward(frozen, side, "onnxruntime")
    assert isinstance(forward, OrtForward)
    assert choice.name == "onnxruntime" and choice.requested == "onnxruntime"
    x = _pictures(2, side).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        ours, reference = forward(x), frozen(x)
    assert ours.dtype == torch.float32 and ours.shape == reference.shape
    assert relative_difference(ours, reference) <= MATCH_RTOL


def test_a_batch_larger_than_one_run_goes_through_in_parts() -> None:
    net = _Pooled().eval()
    forward = OrtForward.from_module(net, 32)
    runs: list[int] = []

    class Recording:
        def __init__(self, session) -> None:
            self.session = session

        def run(self, outputs, feeds):
            runs.append(len(next(iter(feeds.values()))))
            return self.session.run(outputs, feeds)

    forward.session = Recording(forward.session)
    x = _pictures(onnx_backend.RUN_PICTURES * 2 + 3, 32).contiguous(
        memory_format=torch.channels_last
    )
    with torch.inference_mode():
        ours, reference = forward(x), net(x)
    assert runs == [onnx_backend.RUN_PICTURES] * 2 + [3]
    assert relative_difference(ours, reference) <= MATCH_RTOL


def test_auto_on_cpu_picks_onnxruntime_after_the_check_on_a_given_batch() -> None:
    net = _Pooled().eval()
    with torch.inference_mode():  # as inside the engine's feature pass
        forward, choice = frozen_forward(net, 32, check_batch=_pictures(5, 32))
    assert isinstance(forward, OrtForward)
    assert forward.threads == torch.get_num_threads()
    assert choice == BackendChoice("onnxruntime", "auto", choice.reason)
    assert choice.reason.startswith("matched torch")
    with torch.inference_mode():
        x = _pictures(7, 32, seed=2)
        assert relative_difference(forward(x), net(x)) <= MATCH_RTOL


def test_the_check_leaves_the_random_streams_and_the_train_flag_alone() -> None:
    net = _Pooled().train()
    state = torch.random.get_rng_state()
    frozen_forward(net, 16)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert net.training


def test_forced_torch_returns_the_module_without_exporting(monkeypatch) -> None:
    def no_export(*_args: object) -> bytes:
        raise AssertionError("exported")

    monkeypatch.setattr(onnx_backend, "export_frozen", no_export)
    net = _Pooled().eval()
    forward, choice = frozen_forward(net, 32, "torch")
    assert forward is net
    assert (choice.name, choice.requested) == ("torch", "torch")


def test_a_module_off_the_cpu_stays_on_torch() -> None:
    net = _Pooled().to("meta")
    for backend in ("auto", "onnxruntime"):
        forward, choice = frozen_forward(net, 32, backend)
        assert forward is net
        assert choice.name == "torch" and "meta" in choice.reason


def test_a_mismatch_falls_back_to_torch_with_the_reason(monkeypatch) -> None:
    ort_call = OrtForward.__call__
    monkeypatch.setattr(OrtForward, "__call__", lambda self, x: ort_call(self, x) * 1.01)
    net = _Pooled().eval()
    forward, choice = frozen_forward(net, 32, "auto")
    assert forward is net
    assert choice.name == "torch" and choice.requested == "auto"
    assert choice.reason.startswith("fell back to torch: output differs from torch's by 0.01")
    assert "\n" not in choice.describe()
    with pytest.raises(BackendError, match="output differs"):
        frozen_forward(net, 32, "onnxruntime")


def test_an_export_failure_falls_back_to_torch_with_the_reason() -> None:
    net = _DoesNotExport().eval()
    forward, choice = frozen_forward(net, 32)
    assert forward is net and choice.name == "torch"
    assert choice.reason.startswith("fell back to torch: export failed (")
    assert "cummax" in choice.reason and "\n" not in choice.reason
    with pytest.raises(BackendError, match="export failed"):
        frozen_forward(net, 32, "onnxruntime")


def test_without_onnxruntime_auto_runs_torch_and_forcing_it_says_why(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    net = _Pooled().eval()
    forward, choice = frozen_forward(net, 32)
    assert forward is net
    assert choice.reason == f"fell back to torch: {onnx_backend.onnxruntime_missing()}"
    assert "onnxruntime is not installed" in choice.reason
    with pytest.raises(BackendError, match="onnxruntime is not installed"):
        frozen_forward(net, 32, "onnxruntime")


def test_unknown_backend_and_wrong_picture_size_are_refused() -> None:
    net = _Pooled().eval()
    with pytest.raises(ValueError, match="unknown inference backend"):
        frozen_forward(net, 32, "tensorrt")
    forward = OrtForward.from_module(net, 32, threads=1)
    assert forward.threads == 1 and forward.input_size == (32, 32)
    with pytest.raises(ValueError, match=r"\(N, 3, 32, 32\)"):
        forward(_pictures(1, 48))


def test_relative_difference() -> None:
    ones = torch.ones(2, 3)
    assert relative_difference(ones, ones) == 0.0
    assert relative_difference(torch.zeros(2, 3), torch.zeros(2, 3)) == 0.0
    assert relative_difference(ones * 1.5, ones * 2) == pytest.approx(0.25)
    assert relative_difference(ones, torch.zeros(2, 3)) == float("inf")
    assert relative_difference(ones, torch.ones(3, 2)) == float("inf")
    assert relative_difference(ones * float("nan"), ones) == float("inf")


def test_backend_choice_is_one_line_and_plain_json() -> None:
    choice = BackendChoice("torch", "auto", "fell back to torch: export failed (x)")
    assert choice.describe() == "torch (auto: fell back to torch: export failed (x))"
    assert choice.to_json() == {
        "name": "torch",
        "requested": "auto",
        "reason": "fell back to torch: export failed (x)",
    }


def test_auto_keeps_torch_where_onnxruntime_is_not_faster(monkeypatch) -> None:
    monkeypatch.setattr(onnx_backend, "_speedup", REAL_SPEEDUP)  # conftest: untimed
    monkeypatch.setattr(onnx_backend, "MIN_SPEEDUP", float("inf"))
    net = _Pooled().eval()
    forward, choice = frozen_forward(net, 32, "auto", check_batch=_pictures(4, 32))
    assert forward is net
    assert choice.name == "torch" and choice.requested == "auto"
    assert choice.reason.startswith("fell back to torch: torch is as fast here (onnxruntime ran")
    # Forcing onnxruntime skips the timing: the user asked for it.
    forced, choice = frozen_forward(net, 32, "onnxruntime")
    assert isinstance(forced, OrtForward) and choice.name == "onnxruntime"


def test_auto_says_how_much_faster_onnxruntime_ran(monkeypatch) -> None:
    calls: list[int] = []
    real = onnx_backend._best_seconds

    def timed(forward, images):
        calls.append(len(images))
        return real(forward, images)

    monkeypatch.setattr(onnx_backend, "_speedup", REAL_SPEEDUP)  # conftest: untimed
    monkeypatch.setattr(onnx_backend, "MIN_SPEEDUP", 0.0)  # whatever the tiny net's timing
    monkeypatch.setattr(onnx_backend, "_best_seconds", timed)
    _forward, choice = frozen_forward(_Pooled().eval(), 32, "auto", check_batch=_pictures(8, 32))
    assert calls == [onnx_backend.CHECK_IMAGES] * 2  # torch's and ORT's, on the check pictures
    assert choice.name == "onnxruntime" and choice.reason.endswith("x faster")
