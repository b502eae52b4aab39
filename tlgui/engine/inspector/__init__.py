"""The model inspector: what a run of a config does, shown before any training.

* :mod:`.structure`: the layers with their parameter counts and ``requires_grad``, the
  optimizer's groups with their learning rates, the totals, per phase (staged mode has two),
  all read from the objects the trainer's own functions build;
* :mod:`.pipeline`: the preprocessing (eval view), the training augmentation and the
  postprocessing, read from the transforms the engine builds;
* :mod:`.picture`: "try a picture", one image through the network, with the pretrained
  network's ImageNet answer before its output layer is replaced.

:func:`inspect_model` puts them together as the JSON that ``tlgui inspect --json`` prints; the
GUI's inspector calls the parts on its background jobs.
"""

from __future__ import annotations

import os
from typing import Any

from ..config import TrainConfig
from .picture import PictureReport, TensorStats, imagenet_labels, imagenet_layer, try_picture
from .pipeline import Pipeline, Step, describe_pipeline, describe_transform
from .structure import (
    Group,
    Layer,
    Phase,
    Structure,
    Totals,
    inspect_structure,
    new_model,
    phases_of,
)

DEFAULT_TOP_K = 3  # the top-k that `tlgui predict` and the Predict step show by default


def default_class_names(num_classes: int) -> list[str]:
    """Names for classes that have none yet (no dataset chosen): ``class 1`` … ``class N``."""
    return [f"class {i + 1}" for i in range(num_classes)]


def inspect_model(
    config: TrainConfig,
    num_classes: int,
    image: str | os.PathLike[str] | None = None,
    class_names: list[str] | None = None,
    top_k: int = DEFAULT_TOP_K,
) -> dict[str, Any]:
    """Everything the inspector shows for ``config`` on ``num_classes`` classes, as JSON:
    ``params``, ``param_groups``, ``layers`` and ``phases`` (:meth:`Structure.to_json`),
    ``preprocess``, ``train_preprocess`` and ``postprocess`` (:meth:`Pipeline.to_json`) and,
    with ``image``, ``image``, ``input`` and ``output`` (:meth:`PictureReport.to_json`).

    Without ``image`` no pretrained weights are loaded (the counts do not depend on them);
    with it, the model starts from the config's weights, as training would."""
    names = class_names or default_class_names(num_classes)
    if len(names) != num_classes:
        raise ValueError(f"{len(names)} class names for {num_classes} classes")
    model = new_model(config, num_classes, weights=None if image is not None else "none")
    report: dict[str, Any] = {}
    if image is not None:
        # First, while no phase has changed the model: the network as the run starts it.
        report.update(try_picture(config, names, image, model=model).to_json())
    structure = inspect_structure(config, num_classes, model=model)
    pipeline = describe_pipeline(config, min(top_k, num_classes))
    return {**structure.to_json(), **pipeline.to_json(), **report}


__all__ = [
    "DEFAULT_TOP_K",
    "Group",
    "Layer",
    "Phase",
    "PictureReport",
    "Pipeline",
    "Step",
    "Structure",
    "TensorStats",
    "Totals",
    "default_class_names",
    "describe_pipeline",
    "describe_transform",
    "imagenet_labels",
    "imagenet_layer",
    "inspect_model",
    "inspect_structure",
    "new_model",
    "phases_of",
    "try_picture",
]
