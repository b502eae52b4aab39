"""The ``tlgui`` command is an entry point: it keeps big freed blocks for reuse while
``train`` and ``lr-find`` run (tlgui.process), and hands glibc's settings back afterwards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import make_dataset
from tlgui.cli import main
from tlgui.engine import lr_finder, memory, trainer

RUN = ["--batch-size", "4", "--workers", "0", "--no-augment", "--device", "cpu"]
HELD = [(memory._M_MMAP_THRESHOLD, 1 << 30), (memory._M_TRIM_THRESHOLD, (1 << 31) - 1)]
RESTORED = [(memory._M_MMAP_THRESHOLD, 128 * 1024), (memory._M_TRIM_THRESHOLD, 128 * 1024)]


@pytest.fixture
def mallopt_calls(monkeypatch) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(memory, "_mallopt", lambda: lambda p, v: calls.append((p, v)) or 1)
    return calls


def _holding(monkeypatch, module, name: str, seen: list[tuple[int, list]], calls) -> None:
    """Wrap ``module.name`` to note, when the engine is called, whether the setting is held."""
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        seen.append((memory._runs, list(calls)))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)


def test_train_and_lr_find_hold_the_setting_while_the_engine_runs(
    tmp_path: Path, monkeypatch, capsys, mallopt_calls
) -> None:
    data = make_dataset(tmp_path / "data", n_train=4, n_val=2)
    seen: list[tuple[int, list]] = []
    _holding(monkeypatch, trainer, "fit", seen, mallopt_calls)
    _holding(monkeypatch, lr_finder, "find_lr", seen, mallopt_calls)

    out = tmp_path / "m.pt"
    assert main(["train", str(data), "--out", str(out), "--epochs", "1", "--jsonl", *RUN]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["event"] == "done"
    assert mallopt_calls == HELD + RESTORED
    mallopt_calls.clear()
    assert main(["lr-find", str(data), "--num-iter", "3", "--json", *RUN]) == 0
    assert mallopt_calls == HELD + RESTORED
    assert seen == [(1, HELD), (1, HELD)]  # held by the time the engine was called
    assert memory._runs == 0


def test_commands_that_do_not_train_leave_the_allocator_alone(mallopt_calls, capsys) -> None:
    assert main(["info", "/nonexistent/model.pt"]) == 2
    assert "model file not found" in capsys.readouterr().err
    assert mallopt_calls == []
