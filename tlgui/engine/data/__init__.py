"""Datasets and pictures: scanning a folder, reading an image, keeping decoded pictures, and
the torch ``Dataset`` the trainer uses.

A dataset folder is either ``train/`` + ``val/`` (or ``valid/`` / ``validation/``, optional
``test/``) each holding one sub-folder per class, or a plain folder of class sub-folders that
is split into train/val here (stratified, seeded).

Files are recognised by content (PIL reads the header), never by extension. Anything that
cannot be read is *skipped with a reason*, both while scanning and later while training: a bad
file never stops a run.

Modules: :mod:`.scan` (folders, classes, splits), :mod:`.images` (one picture: limits,
decoding, probing), :mod:`.cache` (decoded pictures in RAM or on the device), :mod:`.dataset`
(the torch ``Dataset`` and its collate function).
"""

from .cache import DecodedCache, ImageBank
from .dataset import ImageDataset, collate_skip
from .images import (
    MAX_ASPECT,
    MAX_IMAGE_PIXELS,
    ImageLoadError,
    load_for_network,
    load_image,
    probe_image,
)
from .scan import (
    IGNORED_NAMES,
    TEST_NAMES,
    TRAIN_NAMES,
    VAL_NAMES,
    DataError,
    DatasetScan,
    Sample,
    SkippedFile,
    list_images,
    scan_dataset,
    stratified_split,
)

__all__ = [
    "IGNORED_NAMES",
    "MAX_ASPECT",
    "MAX_IMAGE_PIXELS",
    "TEST_NAMES",
    "TRAIN_NAMES",
    "VAL_NAMES",
    "DataError",
    "DatasetScan",
    "DecodedCache",
    "ImageBank",
    "ImageDataset",
    "ImageLoadError",
    "Sample",
    "SkippedFile",
    "collate_skip",
    "list_images",
    "load_for_network",
    "load_image",
    "probe_image",
    "scan_dataset",
    "stratified_split",
]
