"""The on-device colour jitter is torchvision's ColorJitter, one factor per picture."""

from __future__ import annotations

import pytest
import torch
from torchvision.transforms.v2 import functional as TF

from tlgui.engine.augment import AugmentSpec
from tlgui.engine.augment.device import _colour_op, colour_jitter, shift_hue


@pytest.fixture
def pictures() -> torch.Tensor:
    x = torch.rand(6, 3, 20, 24, generator=torch.Generator().manual_seed(0))
    x[0] = 0.5  # a grey picture: no hue at all
    x[1, :, :4] = x[1, 0:1, :4]  # grey rows inside a colourful picture
    return x


def test_hue_shift_equals_torchvisions_per_picture(pictures: torch.Tensor) -> None:
    shifts = torch.tensor([0.3, -0.5, 0.5, 0.05, -0.2, 0.0])
    got = shift_hue(pictures, shifts)
    want = torch.stack([TF.adjust_hue(p, float(s)) for p, s in zip(pictures, shifts, strict=True)])
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)


@pytest.mark.parametrize(
    ("op", "reference"),
    [
        (0, TF.adjust_brightness),
        (1, TF.adjust_contrast),
        (2, TF.adjust_saturation),
        (3, TF.adjust_hue),
    ],
)
def test_each_colour_op_equals_torchvisions(pictures: torch.Tensor, op: int, reference) -> None:
    factors = (
        torch.tensor([0.0, 0.1, -0.1, 0.2, 0.4, -0.3])
        if op == 3
        else torch.tensor([0.6, 1.4, 1.0, 0.8, 1.2, 0.0])
    )
    got = _colour_op(op, pictures, factors)
    want = torch.stack([reference(p, float(f)) for p, f in zip(pictures, factors, strict=True)])
    torch.testing.assert_close(got, want, atol=1e-5, rtol=0)


def test_colour_jitter_draws_factors_in_colorjitters_ranges(pictures: torch.Tensor) -> None:
    spec = AugmentSpec(brightness=0.3)
    x = pictures.clamp(0.2, 0.6)  # brightness up to 1.3 never clips here
    out = colour_jitter(x, spec, torch.Generator().manual_seed(3))
    factor = (out / x).flatten(1)
    assert torch.allclose(factor, factor[:, :1].expand_as(factor), atol=1e-5)  # per picture
    assert (factor[:, 0] >= 0.7 - 1e-6).all() and (factor[:, 0] <= 1.3 + 1e-6).all()
    assert factor[:, 0].std() > 0  # drawn per picture
    again = colour_jitter(x, spec, torch.Generator().manual_seed(3))
    assert torch.equal(out, again)
    assert torch.equal(colour_jitter(x, AugmentSpec(), torch.Generator()), x)  # no jitter
