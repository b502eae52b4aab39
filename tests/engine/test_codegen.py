"""The training-script generator: every setting rendered, a bundle's config reproduced
exactly, scripts that pass ruff in both flavours and languages, input never turned into code."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tlgui.engine.augment import AugmentSpec
from tlgui.engine.codegen import (
    AUGMENT,
    FLAVORS,
    LANGS,
    SETTINGS,
    CodegenError,
    Recipe,
    generate,
    load_recipe,
    unrendered_fields,
)
from tlgui.engine.codegen.recipe import NOT_RENDERED, SPEED_ONLY
from tlgui.engine.config import TrainConfig

RUFF_RULES = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--line-length", "100"]


def constants(script: str) -> dict[str, Any]:
    """The script's module-level UPPER_CASE constants, read back as literals."""
    out = {}
    for node in ast.parse(script).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            name = getattr(node.targets[0], "id", "")
            if name.isupper():
                out[name] = ast.literal_eval(node.value)
    return out


def rendered_config(consts: dict[str, Any]) -> dict[str, Any]:
    """The TrainConfig fields the constants stand for, through the generator's tables."""
    out = {field: consts[name] for field, name in SETTINGS.items()}
    out["augment"] = {
        field: consts[name] if index is None else consts[name][index]
        for field, (name, index) in AUGMENT.items()
    }
    return out


def save_test_bundle(path: Path, config: TrainConfig, classes: list[str]) -> Path:
    import torch

    from tlgui.engine.checkpoint import Bundle, save_bundle

    save_bundle(
        Bundle(
            config.backbone,
            classes,
            {"w": torch.zeros(1)},
            224,
            [0.5] * 3,
            [0.25] * 3,
            augment=dict(config.augment),
            config=config.to_dict(),
        ),
        path,
    )
    return path


UNUSUAL = TrainConfig(
    backbone="resnet18",
    mode="staged",
    epochs=7,
    freeze_epochs=2,
    batch_size=12,
    lr_head=0.0123,
    lr_backbone=3.3e-05,
    optimizer="sgd",
    weight_decay=0.0,
    scheduler="onecycle",
    label_smoothing=0.0,
    class_weighted=True,
    dropout=0.35,
    patience=0,
    monitor="val_loss",
    min_delta=0.01,
    seed=42,
    workers=3,
    exclude=["ants/x.jpg"],
    augment=dataclasses.replace(
        AugmentSpec(),
        scale_min=0.08,
        ratio_max=1.5,
        vflip=0.3,
        rotation=12.5,
        hue=0.05,
        grayscale=0.1,
        blur=0.2,
        erasing=0.25,
        policy="randaugment",
        resolution=0.75,
    ).to_dict(),
)


def test_every_setting_has_a_rendering_rule() -> None:
    """A field added to TrainConfig or AugmentSpec fails here until the generator renders it
    (or lists it as speed-only or not rendered)."""
    assert unrendered_fields() == []
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    assert set(SETTINGS) | set(SPEED_ONLY) | set(NOT_RENDERED) | {"augment"} == names
    assert set(AUGMENT) == {f.name for f in dataclasses.fields(AugmentSpec)}


def test_a_bundles_script_reproduces_its_config_exactly(tmp_path: Path) -> None:
    path = save_test_bundle(tmp_path / "model.pt", UNUSUAL, ["ants", "bees", "wasps"])
    recipe = load_recipe(path)
    for flavor in FLAVORS:
        consts = constants(generate(recipe, flavor, "en"))
        # The values the issue names, read back one by one ...
        assert (consts["LR_HEAD"], consts["LR_BACKBONE"]) == (0.0123, 3.3e-05)
        assert (consts["MODE"], consts["EPOCHS"], consts["FREEZE_EPOCHS"]) == ("staged", 7, 2)
        assert consts["CROP_SCALE"] == (0.08, 1.0) and consts["CROP_RATIO"] == (0.75, 1.5)
        assert (consts["ROTATION"], consts["POLICY"], consts["ERASING"]) == (
            12.5,
            "randaugment",
            0.25,
        )
        assert consts["TRAIN_RESOLUTION"] == 0.75 and consts["AUGMENT"] is True
        assert consts["CLASSES"] == ["ants", "bees", "wasps"]
        assert (consts["INPUT_SIZE"], consts["MEAN"], consts["STD"]) == (
            224,
            (0.5,) * 3,
            (0.25,) * 3,
        )
        # ... and every rendered field against the bundle's own record.
        saved = UNUSUAL.to_dict()
        expected = {k: saved[k] for k in SETTINGS} | {"augment": saved["augment"]}
        assert rendered_config(consts) == expected


def test_settings_without_a_rendering_are_refused() -> None:
    with pytest.raises(CodegenError, match="'future_knob'"):
        Recipe.from_config({"future_knob": 1}, "run.json")
    with pytest.raises(CodegenError, match="'warp'"):
        Recipe.from_config({"augment": {**AugmentSpec().to_dict(), "warp": 0.1}}, "run.json")
    with pytest.raises(CodegenError, match="lr head"):
        Recipe.from_config({"lr_head": -1.0}, "run.json")


def test_run_json_gives_the_runs_val_split(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(
        '{"format": "tlgui-run", "config": {"mode": "finetune"}, "val_split": 0.3}'
    )
    recipe = load_recipe(run)
    assert (recipe.config.mode, recipe.val_split) == ("finetune", 0.3)
    assert constants(generate(recipe))["VAL_SPLIT"] == 0.3
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(CodegenError, match="does not hold training settings"):
        load_recipe(tmp_path / "bad.json")


def test_text_from_files_stays_inside_literals(tmp_path: Path) -> None:
    """Class names, excluded files and weights paths come from the user's folders: they are
    written as string literals, never as code or comments."""
    evil = 'x"\nimport os; os.system("boom")  # \\'
    config = dataclasses.replace(UNUSUAL, weights=f"/tmp/{evil}.pt", exclude=[evil, "né/ü.jpg"])
    recipe = dataclasses.replace(
        Recipe.from_config(config.to_dict(), f"{evil}.pt"), classes=(evil, "日本語")
    )
    script = generate(recipe, "pytorch", "ja")
    consts = constants(script)
    assert consts["CLASSES"] == [evil, "日本語"]
    assert consts["EXCLUDE"] == [evil, "né/ü.jpg"] and consts["WEIGHTS"] == f"/tmp/{evil}.pt"
    tree = ast.parse(script)
    docstring = ast.get_docstring(tree) or ""
    assert docstring.startswith("tlgui") and 'os.system("boom")' not in docstring
    assert not any(isinstance(n, ast.Attribute) and n.attr == "system" for n in ast.walk(tree))


def _blank_strings(script: str) -> str:
    tree = ast.parse(script)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return ast.dump(tree)


def test_japanese_comments_same_code() -> None:
    recipe = Recipe.from_config(TrainConfig().to_dict(), "")
    for flavor in FLAVORS:
        en, ja = (generate(recipe, flavor, lang) for lang in LANGS)
        assert _blank_strings(en) == _blank_strings(ja)  # comments and texts differ, code not
        for term in (
            "転移学習",
            "ファインチューニング",
            "学習率",
            "データ拡張",
            "エポック",
            "検証",
            "推論",
        ):
            assert term in ja
        header = " ".join((ast.get_docstring(ast.parse(en)) or "").split())
        assert "faithful, plain rendering" in header
        assert "close to tlgui's but not identical" in header
        assert "lightning" in en.lower() if flavor == "lightning" else "lightning" not in en


def test_generated_scripts_pass_ruff(tmp_path: Path) -> None:
    configs = {
        "lite": TrainConfig(),
        "resnet_file": dataclasses.replace(UNUSUAL, weights="/data/w.pt"),
        "mobilenet_random": TrainConfig(backbone="mobilenet_v3_large", weights="none"),
        "noaug": TrainConfig(
            backbone="convnext_tiny", augment=AugmentSpec(enabled=False).to_dict()
        ),
    }
    classes = tuple(f"class number {i}" for i in range(40))
    for name, config in configs.items():
        recipe = dataclasses.replace(
            Recipe.from_config(config.to_dict(), f"{name}.pt"), classes=classes
        )
        for flavor in FLAVORS:
            for lang in LANGS:
                script = generate(recipe, flavor, lang)
                compile(script, name, "exec")
                (tmp_path / f"{name}_{flavor}_{lang}.py").write_text(script, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", *RUFF_RULES]
    done = subprocess.run(
        [*ruff, "--target-version", "py310", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_unknown_flavor_or_language() -> None:
    recipe = Recipe.from_config({}, "")
    with pytest.raises(CodegenError, match="flavor"):
        generate(recipe, "keras")
    with pytest.raises(CodegenError, match="language"):
        generate(recipe, "pytorch", "fr")


@pytest.mark.parametrize("scheduler", ["none", "step", "cosine", "onecycle"])
def test_the_scripts_schedule_is_the_engines(scheduler: str) -> None:
    """The script spells the schedule out as plain code (a copy of the engine's
    ``make_scheduler``); the two give the same learning rate at every step."""
    import torch

    from tlgui.engine.train.optim import make_scheduler

    config = TrainConfig(scheduler=scheduler)
    script = generate(Recipe.from_config(config.to_dict(), "test"), "pytorch", "en")
    tree = ast.parse(script)
    source = next(
        ast.get_source_segment(script, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "make_scheduler"
    )
    namespace: dict[str, Any] = {"torch": torch, "math": __import__("math")}
    namespace.update(constants(script))
    exec(source, namespace)  # the script's own function, with its own constants

    def lrs(make) -> list[float]:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.01)
        schedule = make(optimizer)
        seen = []
        for _ in range(3 * 7):
            seen.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if schedule is not None:
                schedule.step()
        return seen

    ours = lrs(lambda opt: namespace["make_scheduler"](opt, 3, 7))
    engine = lrs(lambda opt: make_scheduler(config, opt, 3, 7))
    assert ours == pytest.approx(engine, rel=1e-12)
