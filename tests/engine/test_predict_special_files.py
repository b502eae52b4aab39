"""Prediction on paths that are not regular files: a named pipe given by name must be reported,
not opened (opening one blocks until some other program writes to it)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest
import torch

from tests.helpers import make_image
from tlgui.engine.predict import Predictor

posix_only = pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "mkfifo"),
                                reason="named pipes and /dev/null are POSIX")


def _predictor() -> Predictor:
    model = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                                torch.nn.Linear(3, 2))
    return Predictor(model, ["blue", "red"], 32, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))


def _predict_or_unblock(predictor: Predictor, paths: list[str], fifo: Path) -> list:
    """Predict on a thread; should it block on the pipe, open the pipe's other end so the
    test fails instead of hanging the suite."""
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(preds=predictor.predict_paths(paths)))
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # releases the blocked reader
        os.close(fd)
        worker.join(timeout=30)
        pytest.fail("prediction blocked on a named pipe")
    return box["preds"]


@posix_only
def test_named_pipe_is_reported_not_opened(tmp_path: Path) -> None:
    good = make_image(tmp_path / "good.jpg", (200, 40, 40))
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    link = tmp_path / "link_to_pipe.png"
    os.symlink(fifo, link)
    preds = _predict_or_unblock(_predictor(), [str(good), str(fifo), str(link)], fifo)
    assert [p.path for p in preds] == [str(good), str(fifo), str(link)]
    assert preds[0].error is None and preds[0].label in ("blue", "red")
    for p in preds[1:]:
        assert p.top == () and p.error == "not a regular file (a named pipe)"


@posix_only
def test_a_device_is_reported_not_read(tmp_path: Path) -> None:
    good = make_image(tmp_path / "x.png", (1, 2, 3))
    preds = _predictor().predict_paths([os.devnull, str(good)])
    assert preds[0].top == () and preds[0].error == "not a regular file (a device)"
    assert preds[1].error is None
