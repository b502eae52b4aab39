"""The Qt-free engine: data, augmentation, backbones, training, bundles, prediction.

Import submodules directly (``from tlgui.engine.trainer import fit``); this package imports
nothing heavy by itself.
"""
