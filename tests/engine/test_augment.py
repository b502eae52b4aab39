"""AugmentSpec <-> transforms.v2, presets, preview determinism, eval transform."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image

from tlgui.engine.augment import (
    PRESET_NAMES,
    AugmentSpec,
    eval_preview,
    eval_transform,
    preset,
    preview,
    train_side,
    train_transform,
)


@pytest.fixture
def photo() -> Image.Image:
    img = Image.new("RGB", (300, 200))
    img.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(200) for x in range(300)])
    return img


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_presets_round_trip_through_json(name: str) -> None:
    spec = preset(name)
    again = AugmentSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec


def test_invalid_spec_is_rejected() -> None:
    with pytest.raises(ValueError, match="crop scale"):
        AugmentSpec.from_dict({"scale_min": 0.9, "scale_max": 0.5})
    with pytest.raises(ValueError, match="policy"):
        AugmentSpec.from_dict({"policy": "magic"})


@pytest.mark.parametrize("policy", ["trivialaugment", "randaugment", "autoaugment"])
def test_every_field_builds_a_working_pipeline(photo: Image.Image, policy: str) -> None:
    spec = AugmentSpec(vflip=0.5, rotation=20, brightness=0.3, contrast=0.3, saturation=0.3,
                       hue=0.1, grayscale=0.5, blur=0.5, erasing=0.5, policy=policy)
    tf = train_transform(spec, 96, (0.5,) * 3, (0.25,) * 3)
    x = tf(photo)
    assert x.shape == (3, 96, 96) and x.dtype == torch.float32


def test_preview_is_deterministic_per_seed(photo: Image.Image) -> None:
    spec = preset("strong")
    a = preview(photo, spec, n=8, seed=3, size=64)
    b = preview(photo, spec, n=8, seed=3, size=64)
    c = preview(photo, spec, n=8, seed=4, size=64)
    # Always at the full size, whatever the training resolution (0.8 here).
    assert len(a) == 8 and all(im.size == (64, 64) for im in a)
    assert [im.tobytes() for im in a] == [im.tobytes() for im in b]
    assert [im.tobytes() for im in a] != [im.tobytes() for im in c]
    # The global RNG is untouched by the preview.
    torch.manual_seed(0)
    expected = torch.rand(1)
    torch.manual_seed(0)
    preview(photo, spec, n=2, seed=9, size=32)
    assert torch.equal(torch.rand(1), expected)


def test_no_augmentation_equals_eval_pipeline(photo: Image.Image) -> None:
    mean, std = (0.4, 0.4, 0.4), (0.2, 0.2, 0.2)
    a = train_transform(preset("none"), 112, mean, std)(photo)
    b = eval_transform(112, mean, std)(photo)
    assert torch.equal(a, b)


def test_eval_transform_resizes_then_centre_crops(photo: Image.Image) -> None:
    out = eval_preview(photo, size=224)
    assert out.size == (224, 224)
    x = eval_transform(224, (0.0,) * 3, (1.0,) * 3)(photo)
    assert x.shape == (3, 224, 224) and 0.0 <= float(x.min()) and float(x.max()) <= 1.0


def test_training_resolution_sets_the_train_crops_side(photo: Image.Image) -> None:
    full = AugmentSpec()  # resolution 1.0: crops at the input size, as before the field existed
    assert train_side(full, 224) == 224
    for name in ("light", "default", "strong"):
        assert preset(name).resolution == 0.8 and train_side(preset(name), 224) == 176
    # Rounded to a multiple of 8; no augmentation trains on the full-size eval view.
    assert train_side(AugmentSpec(resolution=0.5), 224) == 112
    assert train_side(AugmentSpec(resolution=0.9), 224) == 200
    assert train_side(preset("none"), 224) == 224
    x = train_transform(preset("default"), 224, (0.5,) * 3, (0.25,) * 3)(photo)
    assert x.shape == (3, 176, 176)
    x = train_transform(preset("none"), 224, (0.5,) * 3, (0.25,) * 3)(photo)
    assert x.shape == (3, 224, 224)
    # Old specs (saved before the field existed) load at full resolution.
    old = {k: v for k, v in preset("default").to_dict().items() if k != "resolution"}
    assert AugmentSpec.from_dict(old).resolution == 1.0


@pytest.mark.parametrize("value", [0.3, 1.2])
def test_training_resolution_out_of_range_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="training resolution"):
        AugmentSpec.from_dict({"resolution": value})


def test_eval_transform_agrees_with_pil_resampling_to_one_level() -> None:
    """The pipelines resample uint8 tensors (torch's kernels) rather than PIL images; the
    pictures they give are PIL's to within one level of 255."""
    from torchvision.transforms import v2

    ramp = torch.linspace(0, 255, 333)
    across, down = ramp[None, :].expand(250, 333), ramp[:250, None].expand(250, 333)
    pixels = torch.stack([across, down, (across + down) / 2]).to(torch.uint8)
    photo = Image.fromarray(pixels.permute(1, 2, 0).numpy())
    ours = eval_transform(224, (0.0,) * 3, (1.0,) * 3)(photo)
    pil_first = v2.Compose(
        [v2.Resize(256), v2.CenterCrop(224), v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    )(photo)
    assert float((ours - pil_first).abs().max()) <= 1.0 / 255 + 1e-6
