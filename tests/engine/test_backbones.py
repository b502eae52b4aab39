"""Backbone registry: every entry builds; offline weights are real; missing weights explain."""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest
import torch
from PIL import Image

from tlgui.engine import backbones
from tlgui.engine.augment import eval_transform
from tlgui.engine.backbones import BACKBONES, WeightsError, build_backbone, get_info

DATA = Path(__file__).resolve().parents[1] / "data"
LITES = ("efficientnet_lite0", "efficientnet_lite1", "efficientnet_lite2")
REQUIRED = {*LITES, "resnet18", "resnet50", "vgg16", "mobilenet_v3_large", "efficientnet_b0",
            "convnext_tiny"}


def test_registry_has_the_required_backbones() -> None:
    assert REQUIRED <= set(BACKBONES)
    assert all(BACKBONES[name].pretrained_available() for name in LITES)
    # Each EfficientNet-Lite at the input size it was trained at.
    assert [BACKBONES[name].input_size for name in LITES] == [224, 240, 260]


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_backbone_builds_a_feature_extractor(name: str) -> None:
    info = get_info(name)
    model = build_backbone(name, weights="none").eval()
    with torch.inference_mode():
        side = info.input_size if name in LITES else 64
        out = model(torch.randn(1, 3, side, side))
    assert out.shape == (1, info.num_features)
    layer = model.get_submodule(info.cam_layer)  # Grad-CAM hook point exists
    assert layer is not None


@pytest.mark.parametrize("name", LITES)
def test_offline_imagenet_weights_are_real(name: str) -> None:
    """Chelsea the cat (scikit-image's public-domain sample photo) is a cat (281-285), for
    each offline EfficientNet-Lite at its own input size."""
    import efficientnet_lite_pytorch  # noqa: F401  (the maintained architecture)
    from efficientnet_lite_pytorch import EfficientNet

    info = get_info(name)
    full = EfficientNet.from_name(name.replace("_", "-"))
    full.load_state_dict(torch.load(info.weights_file(), weights_only=True))
    full.eval()
    # Our extractor with the same weights gives the same features as the full network.
    extractor = build_backbone(name, "imagenet").eval()
    x = eval_transform(info.input_size, info.mean, info.std)(Image.open(DATA / "chelsea.jpg"))
    x = x[None]
    with torch.inference_mode():
        top5 = full(x).topk(5).indices[0].tolist()
        feats = extractor(x)
        logits = full._fc(feats)
    assert 281 <= top5[0] <= 285, top5  # top-1: a cat
    assert logits.argmax().item() == top5[0]


def test_local_state_dict_file(tmp_path: Path) -> None:
    src = build_backbone("resnet18", weights="none")
    path = tmp_path / "r18.pth"
    torch.save(src.state_dict(), path)
    again = build_backbone("resnet18", weights=str(path))
    assert all(torch.equal(a, b) for a, b in zip(src.state_dict().values(),
                                                 again.state_dict().values(), strict=True))
    with pytest.raises(WeightsError, match="do not fit"):
        build_backbone("mobilenet_v3_large", weights=str(path))
    bad = tmp_path / "bad.pth"
    bad.write_text("garbage")
    with pytest.raises(WeightsError, match="not a usable state-dict"):
        build_backbone("resnet18", weights=str(bad))


def test_missing_weights_say_which_file_to_place_where(monkeypatch) -> None:
    def offline(*_a, **_k):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(backbones.urllib.request, "urlopen", offline)
    info = get_info("resnet18")
    assert not info.pretrained_available()
    with pytest.raises(WeightsError) as err:
        build_backbone("resnet18", weights="imagenet")
    msg = str(err.value)
    assert info.weights_file().name in msg and str(info.weights_file().parent) in msg
    assert "\n" not in msg


def test_download_progress_can_cancel(monkeypatch, tmp_path: Path) -> None:
    class FakeResponse:
        headers = {"Content-Length": str(3 << 20)}

        def __init__(self) -> None:
            self.left = 3

        def read(self, _n: int) -> bytes:
            self.left -= 1
            return b"x" * (1 << 20) if self.left >= 0 else b""

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

    monkeypatch.setattr(backbones.urllib.request, "urlopen", lambda *_a, **_k: FakeResponse())
    seen = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return len(seen) < 2

    dest = tmp_path / "w-abcdef12.pth"
    with pytest.raises(backbones.DownloadCancelled):
        backbones._download("http://example.invalid/w-abcdef12.pth", dest, progress)
    assert seen == [(1 << 20, 3 << 20), (2 << 20, 3 << 20)]
    assert not dest.exists() and not list(tmp_path.iterdir())
