"""``tlgui --self-test``: does this installation (or built app) work? One line, exit 0 or 1.

It exercises what a first prediction needs, offline: the default backbone with its ImageNet
weights from their Python package, the eval transform, the ONNX export of the backbone and
its ONNX Runtime session (forced, so a bundle without a working onnxruntime fails), the
head on torch and the :class:`~tlgui.engine.predict.Predictor`. The head is made on the spot
from the backbone's features of generated red and blue pictures (each class's mean feature
direction), so the answer is known: fresh red and blue pictures must come out as ``red`` and
``blue``. The Qt modules of the desktop app must be present (found, not loaded: the test
also passes where no display or GUI library is).
"""

from __future__ import annotations

import importlib.util
import random
import sys
import time

from PIL import Image, ImageDraw

CLASSES = ("red", "blue")
_COLOURS = {"red": (200, 40, 40), "blue": (40, 60, 200)}


def picture(colour: tuple[int, int, int], seed: int, size: int = 160) -> Image.Image:
    """A noisy picture dominated by ``colour``, with lighter blobs on it."""
    rng = random.Random(seed)
    image = Image.new("RGB", (size, size), tuple(max(0, c + rng.randint(-30, 30)) for c in colour))
    draw = ImageDraw.Draw(image)
    for _ in range(3):
        x0, y0 = rng.randint(0, size // 2), rng.randint(0, size // 2)
        x1, y1 = x0 + rng.randint(16, size // 2), y0 + rng.randint(16, size // 2)
        draw.ellipse(
            (x0, y0, x1, y1), fill=tuple(min(255, c + rng.randint(20, 80)) for c in colour)
        )
    return image


def _check_gui_modules() -> None:
    for name in ("PySide6.QtWidgets", "pyqtgraph", "tlgui.gui.main_window"):
        if importlib.util.find_spec(name) is None:
            raise RuntimeError(f"the desktop app's module {name} is missing")


def run_self_test() -> str:
    """Run the test; the one line to print. Raises on any failure (the caller says which)."""
    start = time.perf_counter()
    import torch

    from ..engine.about import versions_line
    from ..engine.backbones import DEFAULT_BACKBONE, get_info
    from ..engine.model import build_model
    from ..engine.predict import Predictor

    _check_gui_modules()
    info = get_info(DEFAULT_BACKBONE)
    if not info.pretrained_available():
        raise RuntimeError(f"the offline ImageNet weights of {DEFAULT_BACKBONE} are missing")
    model = build_model(DEFAULT_BACKBONE, len(CLASSES), "imagenet").eval()
    predictor = Predictor(
        model, CLASSES, info.input_size, info.mean, info.std, inference_backend="onnxruntime"
    )
    references = [picture(_COLOURS[c], seed) for c in CLASSES for seed in range(3)]
    batch = torch.stack([predictor.transform(p) for p in references])
    with torch.inference_mode():
        features = model.backbone(batch).float()
    directions = torch.stack([f.mean(0) for f in features.split(3)])
    directions = directions / directions.norm(dim=1, keepdim=True)
    with torch.no_grad():
        model.head[1].weight.copy_(directions * 10)
        model.head[1].bias.zero_()
    fresh = [picture(_COLOURS[c], 100 + i) for i, c in enumerate(CLASSES)]
    predictions = predictor.predict_images(fresh, list(CLASSES), top_k=1)
    got = [p.label for p in predictions]
    if got != list(CLASSES):
        raise RuntimeError(f"predicted {got} for generated {list(CLASSES)} pictures")
    backend = predictor.backend.name if predictor.backend else "torch"
    shown = ", ".join(f"{p.path} -> {p.label} {p.prob:.2f}" for p in predictions)
    seconds = time.perf_counter() - start
    return (
        f"tlgui self-test passed: {versions_line()}; backbone {DEFAULT_BACKBONE} (offline "
        f"ImageNet weights) on {backend}; generated pictures: {shown}; {seconds:.1f} s"
    )


def cmd_self_test() -> int:
    """Print the self-test's line; exit code 0 when it passed, 1 when not."""
    try:
        line = run_self_test()
    except Exception as exc:  # every failure is the answer: one line, exit 1
        text = str(exc).strip().splitlines()
        print(
            f"tlgui self-test FAILED: {type(exc).__name__}: {text[0] if text else ''}",
            file=sys.stderr,
        )
        return 1
    print(line)
    return 0
