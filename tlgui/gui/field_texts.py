"""The labels and help sentences of the engine's config fields
(:data:`tlgui.engine.config.FIELDS`) in the user's language, for the Train form and the
Preferences.

The engine imports no Qt, so its strings cannot be marked for translation where they are
declared: this module repeats them inside ``QT_TRANSLATE_NOOP`` for ``lupdate``. It is written
by ``python -m tlgui.gui.i18n_tools``; a test fails when it no longer matches FIELDS.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from ..engine.config import FIELDS

CONTEXT = "Fields"


def label(name: str) -> str:
    """The label of the field ``name`` in the UI language."""
    return QCoreApplication.translate(CONTEXT, FIELDS[name].label)


def help_text(name: str) -> str:
    """The one-sentence help (tooltip) of the field ``name`` in the UI language."""
    return QCoreApplication.translate(CONTEXT, FIELDS[name].help)


# Generated: every label and help sentence of FIELDS, for lupdate.
MARKED = (
    QT_TRANSLATE_NOOP("Fields", "Backbone"),
    QT_TRANSLATE_NOOP("Fields", "The pretrained network whose features the new head uses."),
    QT_TRANSLATE_NOOP("Fields", "Weights"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "imagenet (pretrained), none (random start), or a path to a state-dict file.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Training mode"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "transfer: frozen backbone, train the new head; finetune: train all layers; staged: "
        "frozen epochs, then all layers.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Epochs"),
    QT_TRANSLATE_NOOP("Fields", "Passes over the training images."),
    QT_TRANSLATE_NOOP("Fields", "Batch size"),
    QT_TRANSLATE_NOOP("Fields", "Images per training step."),
    QT_TRANSLATE_NOOP("Fields", "Head learning rate"),
    QT_TRANSLATE_NOOP("Fields", "Learning rate of the new output layer."),
    QT_TRANSLATE_NOOP("Fields", "Backbone learning rate"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Learning rate of the pretrained layers when they train: finetune and staged modes.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Optimizer"),
    QT_TRANSLATE_NOOP("Fields", "The optimizer: SGD with momentum, Adam or AdamW."),
    QT_TRANSLATE_NOOP("Fields", "Weight decay"),
    QT_TRANSLATE_NOOP("Fields", "L2 penalty on the weights (decoupled for AdamW)."),
    QT_TRANSLATE_NOOP("Fields", "Schedule"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "How the learning rate changes: cosine decay with linear warm-up, one-cycle, a step down "
        "every third of the run, or constant (none).",
    ),
    QT_TRANSLATE_NOOP("Fields", "Label smoothing"),
    QT_TRANSLATE_NOOP("Fields", "Share of each target spread over the other classes."),
    QT_TRANSLATE_NOOP("Fields", "Class-weighted loss"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Weight the loss by inverse class frequency (for imbalanced data).",
    ),
    QT_TRANSLATE_NOOP("Fields", "Dropout"),
    QT_TRANSLATE_NOOP("Fields", "Dropout before the new output layer."),
    QT_TRANSLATE_NOOP("Fields", "Frozen epochs first"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Staged mode: epochs with a frozen backbone before all layers train.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Early-stopping patience"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Early stopping: stop after this many epochs without a better validation score (0 = off).",
    ),
    QT_TRANSLATE_NOOP("Fields", "Monitor"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "The validation score that early stopping and the best weights follow.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Minimum improvement"),
    QT_TRANSLATE_NOOP("Fields", "Smallest change of the monitored score that counts as better."),
    QT_TRANSLATE_NOOP("Fields", "Augmentation"),
    QT_TRANSLATE_NOOP("Fields", "The augmentation applied to training images."),
    QT_TRANSLATE_NOOP("Fields", "Seed"),
    QT_TRANSLATE_NOOP("Fields", "Seed of every random draw: the same seed repeats a run."),
    QT_TRANSLATE_NOOP("Fields", "Device"),
    QT_TRANSLATE_NOOP("Fields", "Where to train: auto picks CUDA, then Apple MPS, then CPU."),
    QT_TRANSLATE_NOOP("Fields", "Loader workers"),
    QT_TRANSLATE_NOOP("Fields", "DataLoader worker processes (-1 = auto)."),
    QT_TRANSLATE_NOOP("Fields", "Decoded-image cache (MB)"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Memory for decoded training pictures kept between epochs when they load in the training "
        "process, so each is decoded once (0 = off).",
    ),
    QT_TRANSLATE_NOOP("Fields", "Cache frozen features"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Compute a frozen backbone's features once instead of every batch.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Channels-last memory"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "Run convolutions on channels-last tensors (faster on most hardware).",
    ),
    QT_TRANSLATE_NOOP("Fields", "Mixed precision"),
    QT_TRANSLATE_NOOP("Fields", "Mixed precision on CUDA."),
    QT_TRANSLATE_NOOP("Fields", "Inference backend"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "What runs a frozen backbone on the CPU: auto picks ONNX Runtime when its output matches "
        "PyTorch's, else PyTorch; torch or onnxruntime force one.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Keep duplicates together"),
    QT_TRANSLATE_NOOP(
        "Fields",
        "When tlgui splits off the validation images itself, each group of duplicate pictures "
        "(identical files, and the near-duplicates the dataset check found) stays on one side.",
    ),
    QT_TRANSLATE_NOOP("Fields", "Excluded files"),
    QT_TRANSLATE_NOOP("Fields", "Files left out of the run, relative to the dataset folder."),
)
