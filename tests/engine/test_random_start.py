"""A randomly initialised backbone that will be frozen gets BatchNorm statistics of the user's
pictures before training (``FeatureCache.calibrate``); pretrained ones keep ImageNet's."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.helpers import make_dataset
from tlgui.engine.augment import preset
from tlgui.engine.data import load_image, scan_dataset
from tlgui.engine.events import Callback
from tlgui.engine.model import build_model
from tlgui.engine.train.loop import FitLoop
from tlgui.engine.trainer import CancelToken, TrainConfig, Trainer, fit

NONE = preset("none").to_dict()


def test_random_start_transfer_takes_batchnorm_statistics_from_the_pictures(
    tiny_dataset: Path,
) -> None:
    scan = scan_dataset(tiny_dataset)
    cfg = TrainConfig(
        backbone="resnet18",
        weights="none",
        mode="transfer",
        epochs=1,
        batch_size=8,
        patience=0,
        device="cpu",
        workers=0,
        augment=NONE,
    )
    trainer = Trainer(scan, cfg)
    result = trainer.fit()
    bb = result.model.backbone
    # 16 training pictures: one calibration batch, so the first BatchNorm's statistics are
    # exactly those of the first convolution's outputs on the eval view of those pictures.
    eval_view = trainer.loop.views.eval.transform
    x = torch.stack([eval_view(load_image(s.path)) for s in scan.splits["train"]])
    with torch.no_grad():
        z = bb.conv1(x)
    torch.testing.assert_close(bb.bn1.running_mean, z.mean((0, 2, 3)), rtol=1e-3, atol=1e-4)
    torch.testing.assert_close(bb.bn1.running_var, z.var((0, 2, 3)), rtol=1e-3, atol=1e-4)
    # Every later layer is calibrated too: none is left at the initial mean 0 / variance 1.
    for name, m in bb.named_modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert not torch.equal(m.running_var, torch.ones_like(m.running_var)), name


def test_calibration_draws_a_bounded_seeded_sample(tmp_path: Path) -> None:
    scan = scan_dataset(make_dataset(tmp_path / "d", n_train=12, n_val=2))
    cfg = TrainConfig(
        backbone="resnet18",
        weights="none",
        mode="staged",
        freeze_epochs=1,
        epochs=1,
        batch_size=4,
        patience=0,
        device="cpu",
        workers=0,
        augment=NONE,
    )
    stats = []
    for _ in range(2):
        loop = FitLoop(scan, cfg)
        loop.features.calibrate_pictures = 10  # of 24: 10 pictures, in a fixed draw
        seen: list[int] = []
        real = loop.batches.images

        def spy(samples, view, order, batch_size, key, real=real, seen=seen, **kw):
            if key == "calibrate":
                seen.extend(order)
            return real(samples, view, order, batch_size, key, **kw)

        loop.batches.images = spy
        torch.manual_seed(0)  # the same random weights both times
        model = loop.build_model()
        loop.features.calibrate(model)
        assert len(seen) == 10 and len(set(seen)) == 10
        stats.append((seen, model.backbone.bn1.running_mean.clone()))
    assert stats[0][0] == stats[1][0]
    torch.testing.assert_close(stats[0][1], stats[1][1])


def test_pretrained_backbone_keeps_its_imagenet_statistics(tiny_dataset: Path) -> None:
    scan = scan_dataset(tiny_dataset)
    cfg = TrainConfig(
        backbone="efficientnet_lite0",
        weights="imagenet",
        mode="transfer",
        epochs=1,
        batch_size=8,
        patience=0,
        device="cpu",
        workers=0,
        augment=NONE,
    )
    result = fit(scan, cfg)
    fresh = build_model("efficientnet_lite0", 2, "imagenet").backbone.state_dict()
    trained = result.model.backbone.state_dict()
    assert all(torch.equal(v, trained[k]) for k, v in fresh.items())


def test_random_start_transfer_resumes_like_an_uninterrupted_run(tmp_path: Path) -> None:
    scan = scan_dataset(make_dataset(tmp_path / "d", n_train=3, n_val=2))
    cfg = TrainConfig(
        backbone="resnet18",
        weights="none",
        mode="transfer",
        epochs=2,
        batch_size=4,
        patience=0,
        device="cpu",
        workers=0,
        augment=NONE,
    )
    whole = fit(scan, cfg)
    cancel = CancelToken()

    class StopAfterFirst(Callback):
        def on_epoch_end(self, event) -> None:
            cancel.cancel()

    fit(scan, cfg, [StopAfterFirst()], cancel, run_dir=tmp_path / "run")
    resumed = fit(scan, cfg, run_dir=tmp_path / "run", resume=True)
    got = [v for e in resumed.history for v in (e.train_loss, e.val_loss, e.val_acc)]
    want = [v for e in whole.history for v in (e.train_loss, e.val_loss, e.val_acc)]
    assert got == pytest.approx(want, rel=1e-5)
