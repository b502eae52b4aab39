"""What a generated training script renders: a run's settings as named constants.

:class:`Recipe` holds one run's settings (a :class:`~tlgui.engine.config.TrainConfig`), its
backbone's input size and normalisation, the val split and, for a trained model, its classes.
:meth:`Recipe.constants` turns them into the script's ``UPPER_CASE`` constants through the
tables below. Every ``TrainConfig`` field and every ``AugmentSpec`` field is in exactly one
table, or generation stops with :class:`CodegenError`: a setting the script cannot render is
never dropped silently (tests check that the tables cover every field).

Torch-free (the GUI renders a script on its own thread); reading a bundle loads torch.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..augment import AugmentSpec
from ..backbones import get_info
from ..config import DEFAULT_VAL_SPLIT, TrainConfig


class CodegenError(ValueError):
    """A training script cannot be made from this input; the message is one line."""


# TrainConfig field -> the script's constant.
SETTINGS: dict[str, str] = {
    "backbone": "BACKBONE",
    "weights": "WEIGHTS",
    "mode": "MODE",
    "epochs": "EPOCHS",
    "freeze_epochs": "FREEZE_EPOCHS",
    "batch_size": "BATCH_SIZE",
    "lr_head": "LR_HEAD",
    "lr_backbone": "LR_BACKBONE",
    "optimizer": "OPTIMIZER",
    "weight_decay": "WEIGHT_DECAY",
    "scheduler": "SCHEDULER",
    "label_smoothing": "LABEL_SMOOTHING",
    "class_weighted": "CLASS_WEIGHTED",
    "dropout": "DROPOUT",
    "patience": "PATIENCE",
    "monitor": "MONITOR",
    "min_delta": "MIN_DELTA",
    "seed": "SEED",
    "device": "DEVICE",
    "workers": "WORKERS",
    "exclude": "EXCLUDE",
}
# Fields that change how fast tlgui trains, not what it computes (to float rounding): the
# script leaves them out, and its header says so.
SPEED_ONLY: tuple[str, ...] = (
    "cache_features",
    "channels_last",
    "amp",
    "inference_backend",
    "decoded_cache_mb",
)
# Fields the script cannot reproduce; each is named in a comment of the script.
NOT_RENDERED: tuple[str, ...] = ("keep_duplicates_together",)
# AugmentSpec field -> (constant, index in a (min, max) pair or None).
AUGMENT: dict[str, tuple[str, int | None]] = {
    "enabled": ("AUGMENT", None),
    "resolution": ("TRAIN_RESOLUTION", None),
    "scale_min": ("CROP_SCALE", 0),
    "scale_max": ("CROP_SCALE", 1),
    "ratio_min": ("CROP_RATIO", 0),
    "ratio_max": ("CROP_RATIO", 1),
    "hflip": ("HFLIP", None),
    "vflip": ("VFLIP", None),
    "rotation": ("ROTATION", None),
    "brightness": ("BRIGHTNESS", None),
    "contrast": ("CONTRAST", None),
    "saturation": ("SATURATION", None),
    "hue": ("HUE", None),
    "grayscale": ("GRAYSCALE", None),
    "blur": ("BLUR", None),
    "erasing": ("ERASING", None),
    "policy": ("POLICY", None),
}


def unrendered_fields() -> list[str]:
    """``TrainConfig`` and ``AugmentSpec`` fields in none of the tables (should be empty)."""
    known = {*SETTINGS, *SPEED_ONLY, *NOT_RENDERED, "augment"}
    missing = [f.name for f in fields(TrainConfig) if f.name not in known]
    return missing + [f"augment.{f.name}" for f in fields(AugmentSpec) if f.name not in AUGMENT]


@dataclass(frozen=True)
class Recipe:
    """One run's settings, ready to be rendered (see the module docstring)."""

    config: TrainConfig
    input_size: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    num_features: int
    val_split: float
    origin: str  # what the script was made from ("model.pt"); "" = the app's current settings
    classes: tuple[str, ...] = ()  # a trained model's classes; empty for settings

    @classmethod
    def from_config(
        cls, settings: dict[str, Any], origin: str, val_split: float | None = None
    ) -> Recipe:
        """The recipe of ``settings`` (``TrainConfig`` fields); :class:`CodegenError` when
        one is unknown to this tlgui or not allowed."""
        if not isinstance(settings, dict):
            raise CodegenError(f"{origin}: the settings are not a JSON object")
        known = {f.name for f in fields(TrainConfig)}
        unknown = sorted(k for k in settings if k not in known)
        if unknown:
            raise CodegenError(
                f"{origin} has the setting {unknown[0]!r}, which this tlgui cannot render into "
                "a training script; please upgrade"
            )
        augment = settings.get("augment")
        if isinstance(augment, dict):
            extra = sorted(k for k in augment if k not in {f.name for f in fields(AugmentSpec)})
            if extra:
                raise CodegenError(
                    f"{origin} has the augmentation setting {extra[0]!r}, which this tlgui "
                    "cannot render into a training script; please upgrade"
                )
        try:
            config = TrainConfig.from_dict(settings)
            config.validate()
        except (TypeError, ValueError) as exc:
            raise CodegenError(f"{origin}: the settings are not usable: {exc}") from None
        missing = unrendered_fields()
        if missing:  # a field added to TrainConfig/AugmentSpec without a rendering rule
            raise CodegenError(f"the training-script generator cannot render {missing[0]!r}")
        info = get_info(config.backbone)
        split = DEFAULT_VAL_SPLIT if val_split is None else float(val_split)
        if not 0 <= split < 1:
            raise CodegenError(f"{origin}: the val split must be in [0, 1), got {split}")
        return cls(
            config,
            info.input_size,
            tuple(info.mean),
            tuple(info.std),
            info.num_features,
            split,
            origin,
        )

    @classmethod
    def from_bundle(cls, bundle: Any, origin: str) -> Recipe:
        """The recipe of a loaded :class:`~tlgui.engine.checkpoint.Bundle`: its own training
        config, augmentation, input size, normalisation and classes."""
        settings = dict(bundle.config)
        if not settings:
            raise CodegenError(f"{origin} does not record its training settings")
        if bundle.augment:
            settings["augment"] = dict(bundle.augment)
        base = cls.from_config(settings, origin)
        return cls(
            base.config,
            int(bundle.input_size),
            tuple(bundle.mean),
            tuple(bundle.std),
            base.num_features,
            base.val_split,
            origin,
            tuple(bundle.classes),
        )

    def constants(self) -> dict[str, Any]:
        """The script's constants, name -> value, in the order they are written."""
        cfg = self.config
        out: dict[str, Any] = {name: getattr(cfg, field) for field, name in SETTINGS.items()}
        out["EXCLUDE"] = list(cfg.exclude)  # (a tuple in a config made in Python)
        out["VAL_SPLIT"] = self.val_split
        out["INPUT_SIZE"] = self.input_size
        out["NUM_FEATURES"] = self.num_features
        out["MEAN"] = tuple(self.mean)
        out["STD"] = tuple(self.std)
        spec = cfg.augment_spec
        for field, (name, index) in AUGMENT.items():
            value = getattr(spec, field)
            if index is None:
                out[name] = value
            else:
                pair = list(out.get(name, (None, None)))
                pair[index] = value
                out[name] = tuple(pair)
        if self.classes:
            out["CLASSES"] = list(self.classes)
        return out


def load_recipe(path: str | os.PathLike[str]) -> Recipe:
    """The recipe in ``path``: a model bundle (``.pt``), a run folder or its ``run.json``, a
    run file (``tlgui train --config``; both hold ``config`` and ``val_split``), or a JSON
    object of ``TrainConfig`` fields.
    :class:`CodegenError` with a one-line message when it is none of these."""
    path = Path(path)
    if path.is_dir():
        path = path / "run.json"
    if not path.is_file():
        raise CodegenError(f"file not found: {path}")
    if path.suffix.lower() != ".json":
        from ..checkpoint import BundleError, load_bundle

        try:
            return Recipe.from_bundle(load_bundle(path), path.name)
        except BundleError as exc:
            raise CodegenError(str(exc)) from None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CodegenError(f"{path.name} is not a readable JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise CodegenError(f"{path.name} does not hold training settings")
    if isinstance(data.get("config"), dict):  # run.json: {"config": {...}, "val_split": ...}
        split = data.get("val_split")
        usable = isinstance(split, int | float) and not isinstance(split, bool)
        return Recipe.from_config(data["config"], path.name, float(split) if usable else None)
    return Recipe.from_config(data, path.name)


__all__ = [
    "AUGMENT",
    "NOT_RENDERED",
    "SETTINGS",
    "SPEED_ONLY",
    "CodegenError",
    "Recipe",
    "load_recipe",
    "unrendered_fields",
]
