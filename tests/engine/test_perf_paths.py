"""The speed paths give the plain path's results: folded BatchNorm, inference mode, caches."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from tests.helpers import make_dataset, make_image
from tlgui.engine.augment import eval_transform, preset
from tlgui.engine.augment.device import device_batch
from tlgui.engine.backbones import build_backbone
from tlgui.engine.data import DecodedCache, ImageBank, ImageLoadError, load_image, scan_dataset
from tlgui.engine.events import Callback, EpochEnd
from tlgui.engine.frozen import fold_batchnorm
from tlgui.engine.train.batches import BatchSource
from tlgui.engine.train.loop import FitLoop
from tlgui.engine.trainer import TrainConfig, Trainer, fit

BASE = dict(backbone="efficientnet_lite0", weights="imagenet", batch_size=4, workers=0)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """8 train + 4 val images: two batches per epoch keep the whole file well under a minute."""
    return make_dataset(tmp_path / "small", n_train=4, n_val=2)


def _randomise_bn(net: nn.Module) -> None:
    """Non-trivial running statistics, so folding is really exercised (fresh BN is identity)."""
    g = torch.Generator().manual_seed(0)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(n, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)


@pytest.mark.parametrize(
    ("name", "weights"), [("efficientnet_lite0", "imagenet"), ("resnet18", "none")]
)
def test_folded_backbone_matches_the_original(name: str, weights: str) -> None:
    net = build_backbone(name, weights).eval()
    if weights == "none":
        _randomise_bn(net)
    n_bn = sum(isinstance(m, nn.BatchNorm2d) for m in net.modules())
    folded, pairs = fold_batchnorm(net)
    assert pairs == n_bn  # every BN in these nets follows a conv
    assert not any(isinstance(m, nn.BatchNorm2d) for m in folded.modules())
    assert sum(isinstance(m, nn.BatchNorm2d) for m in net.modules()) == n_bn  # original kept
    assert all(p.requires_grad for p in net.parameters())
    x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        want, got = net(x), folded(x)
        got_cl = folded.to(memory_format=torch.channels_last)(
            x.contiguous(memory_format=torch.channels_last)
        )
    assert torch.allclose(got, want, atol=1e-4, rtol=1e-4)
    assert torch.allclose(got_cl, want, atol=1e-4, rtol=1e-4)


def test_untraceable_backbone_runs_unfolded() -> None:
    class Dynamic(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv, self.bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = self.bn(self.conv(x))
            return y if float(y.detach().sum()) > 0 else -y  # data-dependent: untraceable

    net = Dynamic().eval()
    folded, pairs = fold_batchnorm(net)
    assert pairs == 0
    x = torch.randn(1, 3, 8, 8)
    assert torch.equal(folded(x), net(x))


def _metrics(history: list[EpochEnd]) -> list[tuple[float, ...]]:
    return [(e.train_loss, e.train_acc, e.val_loss, e.val_acc) for e in history]


def _assert_same(fast: list[EpochEnd], plain: list[EpochEnd]) -> None:
    assert len(fast) == len(plain)
    for a, b in zip(_metrics(fast), _metrics(plain), strict=True):
        assert a == pytest.approx(b, abs=2e-4)


@pytest.mark.parametrize("augmentation", ["none", "default"])
def test_transfer_speed_path_equals_plain_path(small: Path, augmentation: str) -> None:
    """Same seed -> same metrics, whether features are cached and BN folded or not."""
    scan = scan_dataset(small)
    cfg = dict(BASE, epochs=2, seed=3, augment=preset(augmentation).to_dict())
    fast = fit(scan, TrainConfig(**cfg)).history
    plain = fit(scan, TrainConfig(**cfg, cache_features=False)).history
    _assert_same(fast, plain)


def test_staged_speed_path_equals_plain_path(small: Path) -> None:
    scan = scan_dataset(small)
    cfg = dict(
        BASE, mode="staged", epochs=2, freeze_epochs=1, seed=5, augment=preset("none").to_dict()
    )
    _assert_same(
        fit(scan, TrainConfig(**cfg)).history,
        fit(scan, TrainConfig(**cfg, cache_features=False)).history,
    )


def test_folded_copy_follows_weight_changes(small: Path) -> None:
    """The folded copy is rebuilt when the frozen weights change in place (resume loads a
    state dict into the built model), and is never used for a backbone that trains."""
    loop = FitLoop(scan_dataset(small), TrainConfig(**BASE, epochs=1))
    model = loop.build_model()
    model.freeze_backbone(True)
    x = torch.randn(2, 3, 64, 64)
    first = loop.features.frozen_backbone(model, x)
    assert loop.features.frozen_backbone(model, x) is first
    with torch.no_grad():
        next(model.backbone.parameters()).mul_(0.5)
    second = loop.features.frozen_backbone(model, x)
    assert second is not first
    with torch.inference_mode():
        assert torch.allclose(second(x), model.backbone.eval()(x), atol=1e-4)
    model.freeze_backbone(False)
    assert loop.features.frozen_backbone(model, x) is model.backbone


# --------------------------------------------------------------------------- GPU data path
# (The image bank and on-device augmentation run on CPU tensors here; a GPU only moves them.)


CHELSEA = Path(__file__).parents[1] / "data" / "chelsea.jpg"  # a real, non-square photo


def test_image_bank_is_bounded_and_exact(small: Path, tmp_path: Path) -> None:
    scan = scan_dataset(small)
    paths = [s.path for s in scan.splits["train"]]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    side = 96
    item = 3 * side * side
    bank = ImageBank(torch.device("cpu"), max_bytes=item * (len(paths) + 1), side=side, workers=2)
    assert bank.add([*paths, str(broken)])
    assert bank.nbytes == item * (len(paths) + 1) and bank.holds(paths)
    assert str(broken) in bank.failed and str(broken) not in bank.index
    fresh = load_image(paths[0])
    assert bank.sizes[paths[0]] == (fresh.height, fresh.width)
    pixels = torch.from_numpy(np.array(fresh)).permute(2, 0, 1)[None].float()
    want = (
        torch.nn.functional.interpolate(pixels, size=(side, side), mode="bilinear", antialias=True)
        .round()
        .clamp(0, 255)
    )
    assert torch.equal(bank.image(paths[0]), want[0].to(torch.uint8))  # = a fresh decode
    val = [s.path for s in scan.splits["val"]]
    assert not bank.add(val)  # over budget: refused whole, before decoding anything
    assert bank.full and not any(p in bank.index or p in bank.failed for p in val)
    assert bank.nbytes == item * (len(paths) + 1)


def test_bank_stores_every_picture_as_one_square(tmp_path: Path) -> None:
    wide = make_image(tmp_path / "wide.png", (200, 40, 40), size=300).rename(tmp_path / "w.png")
    Image.open(wide).resize((300, 120)).save(wide)
    bank = ImageBank(torch.device("cpu"), max_bytes=10**8, side=100, workers=1)
    assert bank.add([str(wide), str(CHELSEA)])
    assert tuple(bank.image(str(wide)).shape) == (3, 100, 100)
    assert bank.sizes[str(wide)] == (120, 300)
    assert len(bank.blocks) == 1 and tuple(bank.blocks[0].shape) == (2, 3, 100, 100)


def _bank_batch(paths: list[str], side: int = 448):
    bank = ImageBank(torch.device("cpu"), 10**9, side=side, workers=2)
    assert bank.add(paths)
    x = torch.stack([bank.image(p) for p in paths])
    hw = torch.tensor([bank.sizes[p] for p in paths], dtype=torch.float32)
    return x, hw


def test_device_batch_eval_matches_the_cpu_transform(small: Path) -> None:
    """The stretched bank + one roi_align gives the eval transform's pixels (rounding only),
    on generated squares and on a real landscape photo."""
    scan = scan_dataset(small)
    paths = [s.path for s in scan.splits["val"]] + [str(CHELSEA)]
    x, hw = _bank_batch(paths)
    mean, std = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)
    want = torch.stack([eval_transform(224, mean, std)(load_image(p)) for p in paths])
    got = device_batch(x, hw, None, 224, mean, std, torch.Generator().manual_seed(0))
    assert got.shape == want.shape
    err = (got - want).abs().mean(dim=(1, 2, 3)) * 0.25 * 255  # in 0-255 pixel levels
    assert err.max() < 2.0, err  # two resampling passes vs PIL's one: under 2 levels


def test_batched_crop_boxes_follow_random_resized_crop() -> None:
    """The vectorised draw keeps RandomResizedCrop's rules: inside the picture, area fraction
    and aspect ratio within the spec's ranges (or the clamped fallback), seeded."""
    from tlgui.engine.augment.device import _rrc_boxes

    spec = preset("default")
    hw = torch.tensor([[375.0, 500.0], [300.0, 451.0], [64.0, 64.0], [10.0, 900.0]] * 256)
    top, left, ch, cw = _rrc_boxes(hw, spec, torch.Generator().manual_seed(0))
    h, w = hw[:, 0], hw[:, 1]
    assert (top >= 0).all() and (left >= 0).all()
    assert (top + ch <= h).all() and (left + cw <= w).all() and (ch >= 1).all()
    area = ch * cw / (h * w)
    normal = hw[:, 1] / hw[:, 0] < 10
    assert area[normal].min() >= spec.scale_min * 0.9 and area[normal].max() <= 1.0
    aspect = (cw / ch)[normal]
    assert aspect.min() >= spec.ratio_min * 0.95 and aspect.max() <= spec.ratio_max * 1.05
    assert area[normal].std() > 0.1  # really random, not a fixed crop
    # The 10 x 900 strip never fits the aspect range: the clamped centre crop.
    strip = ~normal
    assert torch.all(ch[strip] == 10) and torch.all(cw[strip] == round(10 * spec.ratio_max))
    again = _rrc_boxes(hw, spec, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip((top, left, ch, cw), again, strict=True))


def test_crop_batch_undoes_the_stretch() -> None:
    """A crop of the stretched bank picture equals that crop of the real picture, resized."""
    import torch.nn.functional as F

    from tlgui.engine.augment.device import crop_batch

    x, hw = _bank_batch([str(CHELSEA)])
    photo = torch.from_numpy(np.array(load_image(CHELSEA))).permute(2, 0, 1).float()
    top, left, ch, cw = 20, 30, 120, 200  # chelsea.jpg is 256 x 170
    box = tuple(torch.tensor([float(v)]) for v in (top, left, ch, cw))
    got = crop_batch(x, hw, box, 112)
    want = F.interpolate(
        photo[None, :, top : top + ch, left : left + cw],
        size=(112, 112),
        mode="bilinear",
        antialias=True,
        align_corners=False,
    )
    assert (got - want).abs().mean() < 2.0  # pixel levels


def test_device_batch_train_is_seeded(small: Path) -> None:
    scan = scan_dataset(small)
    x, hw = _bank_batch([s.path for s in scan.splits["val"]] + [str(CHELSEA)])
    mean, std = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)

    def train(name: str, seed: int) -> torch.Tensor:
        return device_batch(
            x, hw, preset(name), 224, mean, std, torch.Generator().manual_seed(seed)
        )

    # Every draw, the per-picture ops of "strong" included, comes from the generator given:
    # the global generator neither changes the batch nor is changed by it.
    torch.manual_seed(0)
    a = train("strong", 1)
    torch.manual_seed(1)
    before = torch.get_rng_state()
    assert torch.equal(a, train("strong", 1))
    assert torch.equal(torch.get_rng_state(), before)
    assert not torch.equal(a, train("strong", 2))
    assert torch.equal(train("default", 1), train("default", 1))
    assert not torch.equal(train("default", 1), train("default", 2))
    # Train crops come out at the spec's training resolution, like the CPU transform's.
    assert torch.isfinite(a).all() and a.shape == (len(hw), 3, 176, 176)
    full = device_batch(
        x,
        hw,
        replace(preset("default"), resolution=1.0),
        224,
        mean,
        std,
        torch.Generator().manual_seed(1),
    )
    assert full.shape == (len(hw), 3, 224, 224)


def test_finetune_folded_evaluation_equals_plain(small: Path) -> None:
    """On CPU a training backbone is evaluated through a BN-folded copy: same metrics."""
    scan = scan_dataset(small)
    cfg = dict(BASE, mode="finetune", epochs=1, seed=4, augment=preset("light").to_dict())
    _assert_same(
        fit(scan, TrainConfig(**cfg)).history,
        fit(scan, TrainConfig(**cfg, cache_features=False)).history,
    )


def test_fit_runs_through_the_image_bank(small: Path, monkeypatch) -> None:
    monkeypatch.setattr(BatchSource, "bank_devices", ("cuda", "cpu"))
    scan = scan_dataset(small)
    trainer = Trainer(scan, TrainConfig(**BASE, epochs=1, mode="finetune", seed=1))
    result = trainer.fit()
    bank = trainer.loop.batches.bank
    assert bank is not None
    assert bank.holds(s.path for s in scan.splits["train"] + scan.splits["val"])
    assert len(result.history) == 1 and math.isfinite(result.history[0].train_loss)


def test_passes_without_gradients_batch_like_training_on_the_cpu(small: Path) -> None:
    """On the CPU the feature and evaluation passes use the training batch size (a larger one
    was no faster and raised the kept heap), floored at ``min_inference_batch`` (a batch of 1
    or 2 is slower per picture); on a GPU at least 64, for fewer launches."""
    scan = scan_dataset(small)
    loop = FitLoop(scan, TrainConfig(**{**BASE, "batch_size": 3}, epochs=1))
    source = loop.batches
    source.min_inference_batch = 2
    sizes: list[int] = []
    real = source.images

    def spy(samples, view, order, batch_size, key, **kw):
        if key.startswith(("features:", "eval:")):
            sizes.append(batch_size)
        return real(samples, view, order, batch_size, key, **kw)

    source.images = spy
    loop.run()
    assert sizes and set(sizes) == {3}
    source.min_inference_batch = 5
    assert source.inference_batch() == 5  # the floor, above the training batch size
    fresh = FitLoop(scan, TrainConfig(**{**BASE, "batch_size": 3}))
    assert fresh.batches.inference_batch() == 16
    # The rule only; nothing runs on it.
    source.runtime = replace(source.runtime, device=torch.device("cuda"))
    assert source.inference_batch() == 64


def test_cpu_loader_decodes_big_jpegs_at_reduced_scale(small: Path) -> None:
    """Phone-size JPEGs decode at 1/2, 1/4 or 1/8 scale, the short side kept >= 2 x input."""
    big = small / "train" / "red" / "big.jpg"
    Image.new("RGB", (2400, 1800), (200, 30, 30)).save(big, quality=90)
    scan = scan_dataset(small)
    loop = FitLoop(scan, TrainConfig(**BASE, epochs=1))
    batches = loop.batches.images(scan.splits["train"], loop.views.train(False), None, 4, "draft")
    dataset = batches.loader.dataset  # in-process loading: the DataLoader behind Prefetched
    assert dataset.loader(str(big)).size == (600, 450)  # 1/4 scale: 450 >= 2 * 224
    assert dataset.loader(scan.splits["train"][0].path).size == (64, 64)  # small: as is


def test_training_resolution_applies_only_while_the_backbone_trains(small: Path) -> None:
    """Staged run: the frozen epoch trains on full-size crops, the unfrozen one on the spec's
    training resolution (0.8 -> 176 pixels); without augmentation training uses the eval
    view."""
    scan = scan_dataset(small)
    cfg = TrainConfig(
        **{**BASE, "mode": "staged"},
        freeze_epochs=1,
        epochs=2,
        cache_features=False,
        augment=preset("default").to_dict(),
    )
    seen: set[tuple[int, int]] = set()
    epoch = [0]

    class Track(Callback):
        def on_epoch_start(self, event) -> None:
            epoch[0] = event.epoch

    loop = FitLoop(scan, cfg, [Track()])
    build = loop.build_model

    def spy():
        model = build()
        model.backbone.register_forward_pre_hook(
            lambda _m, args: seen.add((epoch[0], args[0].shape[-1]))
        )
        return model

    loop.build_model = spy
    loop.run()
    # Epoch 1 (frozen): training and evaluation at 224. Epoch 2: training at 176,
    # evaluation at 224.
    assert seen == {(1, 224), (2, 176), (2, 224)}
    none = FitLoop(scan, TrainConfig(**BASE, augment=preset("none").to_dict())).views
    assert none.train(False) is none.eval
    assert none.train(True) is none.eval


def test_decoded_cache_is_bounded_and_never_keeps_a_failure(tmp_path: Path) -> None:
    paths = [str(make_image(tmp_path / f"{i}.jpg", (200, 30, 30), i)) for i in range(4)]
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    calls: list[str] = []

    def load(path: str) -> Image.Image:
        calls.append(path)
        return load_image(path)

    one = load_image(paths[0])
    budget = 2 * one.width * one.height * 3  # room for two pictures
    cache = DecodedCache(load, budget)
    for _ in range(3):
        got = [cache(p) for p in paths]
        for _ in range(2):
            with pytest.raises(ImageLoadError):
                cache(str(broken))
    assert [np.asarray(g).tobytes() for g in got] == [
        np.asarray(load_image(p)).tobytes() for p in paths
    ]
    assert sorted(cache.images) == sorted(paths[:2]) and cache.used <= budget
    assert [calls.count(p) for p in paths] == [1, 1, 3, 3]  # the rest decode as before
    assert calls.count(str(broken)) == 6 and str(broken) not in cache.images


def test_decoded_cache_gives_the_same_run(small: Path) -> None:
    """Augmented transfer and fine-tune: with the decoded-picture cache the metrics are the
    ones the uncached run gives (the same pixels go through the same transforms)."""
    scan = scan_dataset(small)
    aug = preset("default").to_dict()
    for mode in ("transfer", "finetune"):
        runs = []
        for budget in (0, 2**30):
            cfg = TrainConfig(
                **{**BASE, "mode": mode},
                epochs=2,
                patience=0,
                augment=aug,
                decoded_cache_mb=budget // 2**20,
            )
            trainer = Trainer(scan, cfg)
            runs.append(
                [
                    v
                    for e in trainer.fit().history
                    for v in (e.train_loss, e.train_acc, e.val_loss, e.val_acc)
                ]
            )
            decoded = trainer.loop.batches.decoded
            assert decoded is not None
            held = len(decoded.images)
            assert held == (
                0
                if budget == 0
                else len(scan.splits["train"]) + (mode == "finetune") * len(scan.splits["val"])
            )
        assert runs[1] == pytest.approx(runs[0], rel=1e-6, abs=1e-7)
