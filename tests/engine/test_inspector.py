"""The model inspector reads the trainer's own objects: its counts are those of the optimizer
the trainer builds, its steps those of the transforms the engine builds, and "try a picture"
runs the real network (efficientnet_lite0's offline ImageNet weights)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import torch
from PIL import Image

from tests.helpers import make_dataset
from tlgui.engine import augment
from tlgui.engine.backbones import get_info
from tlgui.engine.config import TrainConfig
from tlgui.engine.data import ImageLoadError, scan_dataset
from tlgui.engine.inspector import (
    describe_pipeline,
    imagenet_layer,
    inspect_model,
    inspect_structure,
    new_model,
    try_picture,
)
from tlgui.engine.train import callbacks
from tlgui.engine.train.loop import FitLoop

CHELSEA = Path(__file__).parents[1] / "data" / "chelsea.jpg"  # a real photo of a cat
CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}
LITE = TrainConfig(backbone="efficientnet_lite0", weights="none", epochs=4, freeze_epochs=2)


def _numel(group: dict) -> int:
    return sum(p.numel() for p in group["params"])


def test_counts_are_those_of_the_optimizers_the_trainer_builds(monkeypatch) -> None:
    """Spy on the optimizer factory the staged-unfreeze callback calls: each phase's groups
    are exactly the built optimizer's groups, over the inspected model's own tensors."""
    built: list[tuple[torch.nn.Module, torch.optim.Optimizer]] = []
    real = callbacks.make_optimizer

    def spy(config, model, lr_head, device):
        optimizer = real(config, model, lr_head, device)
        built.append((model, optimizer))
        return optimizer

    monkeypatch.setattr(callbacks, "make_optimizer", spy)
    config = replace(LITE, mode="staged", lr_head=0.01, lr_backbone=2e-4)
    model = new_model(config, 3, weights="none")
    structure = inspect_structure(config, 3, model=model)
    assert len(built) == len(structure.phases) == 2
    own = {id(p) for p in model.parameters()}
    for phase, (seen_model, optimizer) in zip(structure.phases, built, strict=True):
        assert seen_model is model
        groups = optimizer.param_groups
        assert [(g.name, g.params, g.tensors) for g in phase.groups] == [
            (g["name"], _numel(g), len(g["params"])) for g in groups
        ]
        assert {id(p) for g in groups for p in g["params"]} <= own
        assert phase.totals.trainable == sum(_numel(g) for g in groups)
    first, second = structure.phases
    assert (first.first_epoch, first.last_epoch, second.first_epoch, second.last_epoch) == (
        1,
        2,
        3,
        4,
    )
    assert {g.name: g.lr for g in first.groups} == {"head": 0.01}
    # Unfrozen, the head continues at half its rate next to the backbone's.
    assert {g.name: g.lr for g in second.groups} == {"backbone": 2e-4, "head": 0.005}


@pytest.mark.parametrize("mode", ["transfer", "finetune", "staged"])
def test_phases_match_a_real_training_loop(tmp_path: Path, mode: str) -> None:
    """The trainer's FitLoop for the same config, driven to each epoch's start: its
    optimizer's groups and its model's requires_grad flags are what the inspector says."""
    config = replace(LITE, mode=mode, workers=0, device="cpu")
    scan = scan_dataset(make_dataset(tmp_path / "data", n_train=2, n_val=1))
    loop = FitLoop(scan, config)
    loop.model = loop.build_model()
    loop._hooks("on_fit_start")
    structure = inspect_structure(config, len(scan.classes))
    by_epoch = {e: p for p in structure.phases for e in range(p.first_epoch, p.last_epoch + 1)}
    assert sorted(by_epoch) == list(range(1, config.epochs + 1))
    for epoch in range(1, config.epochs + 1):
        loop._hooks("on_epoch_start", epoch)
        phase = by_epoch[epoch]
        groups = loop.step.optimizer.param_groups
        assert [(g.name, g.lr, g.weight_decay, g.params) for g in phase.groups] == [
            (g["name"], g.get("initial_lr", g["lr"]), g["weight_decay"], _numel(g)) for g in groups
        ]
        flags = {
            name: all(p.requires_grad for p in m.parameters(recurse=False))
            for name, m in loop.model.named_modules()
            if any(True for _ in m.parameters(recurse=False))
        }
        assert {x.name: x.trainable for x in phase.layers} == flags
        assert phase.backbone_frozen == loop.model.backbone_frozen


def test_totals_add_up_per_mode() -> None:
    info = get_info("efficientnet_lite0")
    head = (info.num_features + 1) * 2
    for mode, trainable in (("transfer", head), ("finetune", None)):
        s = inspect_structure(replace(LITE, mode=mode), 2)
        (phase,) = s.phases
        t = phase.totals
        assert t.total == sum(x.params for x in phase.layers) == t.trainable + t.frozen
        assert t.trainable == (t.total if trainable is None else trainable)
        assert t.trainable == sum(x.params for x in phase.layers if x.trainable)
        assert {x.group for x in phase.layers if x.trainable} == (
            {"head"} if mode == "transfer" else {"head", "backbone"}
        )


def test_pipeline_steps_are_the_engines_transforms() -> None:
    info = get_info("efficientnet_lite0")
    spec = augment.preset("strong")
    config = replace(LITE, mode="staged", augment=spec.to_dict())
    pipe = describe_pipeline(config, top_k=2)
    eval_ops = {s.op: s.args for s in pipe.preprocess}
    assert list(eval_ops) == ["ToImage", "Resize", "CenterCrop", "ToDtype", "Normalize"]
    assert eval_ops["Resize"]["size"] == [256]
    assert eval_ops["CenterCrop"]["size"] == [224, 224]
    assert eval_ops["Normalize"] == {"mean": list(info.mean), "std": list(info.std)}
    # A frozen backbone gets full-size crops, a training one the spec's training resolution.
    crop = {
        view: next(s.args["size"] for s in steps if s.op == "RandomResizedCrop")
        for view, steps in pipe.training.items()
    }
    side = augment.train_side(spec, info.input_size)
    assert crop == {"frozen": [224, 224], "training": [side, side]}
    training = [s.op for s in pipe.training["training"]]
    assert training[-1] == "RandomErasing" and "TrivialAugmentWide" in training
    assert [str(s) for s in pipe.postprocess] == ["softmax(dim=1)", "topk(k=2)"]
    # Without augmentation a training picture gets the eval view.
    plain = describe_pipeline(replace(config, augment=augment.preset("none").to_dict()), 2)
    assert plain.training["frozen"] == plain.preprocess
    assert list(describe_pipeline(replace(config, mode="finetune"), 2).training) == ["training"]


def test_try_a_picture_with_the_offline_imagenet_weights() -> None:
    config = TrainConfig(backbone="efficientnet_lite0", weights="imagenet")
    names = ["ants", "bees", "cats"]
    model = new_model(config, len(names))
    report = try_picture(config, names, CHELSEA, model=model)
    info = get_info("efficientnet_lite0")
    assert report.input.shape == (1, 3, 224, 224)
    low = min((0 - m) / s for m, s in zip(info.mean, info.std, strict=True))
    high = max((1 - m) / s for m, s in zip(info.mean, info.std, strict=True))
    assert low - 1e-4 <= report.input.min < report.input.max <= high + 1e-4
    assert report.features_shape == (1, info.num_features)
    assert report.output_shape == (1, 3)
    assert report.imagenet_top5 is not None and len(report.imagenet_top5) == 5
    assert report.imagenet_top5[0][0] in CATS
    # The head's probabilities: softmax of the model's logits for the eval view, best first.
    x = augment.eval_transform(224, info.mean, info.std)(Image.open(CHELSEA))
    with torch.inference_mode():
        probs = model.eval()(x[None]).softmax(1)[0]
    assert [label for label, _p in report.head] == [
        names[i] for i in probs.argsort(descending=True)
    ]
    assert [p for _l, p in report.head] == pytest.approx(sorted(probs.tolist(), reverse=True))


def test_no_imagenet_answer_without_imagenet_weights(tmp_path: Path) -> None:
    report = try_picture(LITE, ["a", "b"], CHELSEA)
    assert report.imagenet_top5 is None and "ImageNet" in report.imagenet_note
    assert imagenet_layer(replace(LITE, weights="imagenet"))[0] is not None
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a picture")
    with pytest.raises(ImageLoadError):
        try_picture(LITE, ["a", "b"], bad)


def test_inspect_model_json_has_the_contract_keys() -> None:
    report = inspect_model(replace(LITE, mode="finetune"), 2)
    assert report["params"] == {"total": 3_373_570, "trainable": 3_373_570, "frozen": 0}
    assert {"name", "lr", "params"} <= set(report["param_groups"][0])
    assert {"name", "type", "params", "trainable"} <= set(report["layers"][0])
    assert [step["op"] for step in report["preprocess"][:2]] == ["ToImage", "Resize"]
    assert "output" not in report  # no picture, no weights loaded
    with pytest.raises(ValueError, match="class names"):
        inspect_model(LITE, 3, class_names=["a", "b"])
