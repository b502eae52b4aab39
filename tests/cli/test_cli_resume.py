"""``tlgui train --run-dir`` / ``--resume``: a run killed with SIGKILL continues where it
stopped and ends with the same history as a run that was never interrupted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_dataset
from tlgui.cli import main
from tlgui.engine.checkpoint import load_bundle

ARGS = ["--epochs", "2", "--batch-size", "4", "--workers", "0", "--patience", "0",
        "--augment", "default", "--jsonl"]


def tlgui_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "tlgui", *map(str, args)]


def history(model: Path) -> list[float]:
    """The bundle's history without wall times, flattened for ``approx``."""
    return [v for h in load_bundle(model).history
            for v in (h["epoch"], h["train_loss"], h["train_acc"], h["val_loss"], h["val_acc"],
                      *h["lr"])]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_then_resume_gives_the_same_history(tmp_path: Path, monkeypatch,
                                                  capsys) -> None:
    data = make_dataset(tmp_path / "data", n_train=3, n_val=2)
    env = {**os.environ, "TLGUI_RUNS_DIR": str(tmp_path / "runs")}
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "runs"))

    # The uninterrupted reference run, in this process (the same code path as the CLI).
    assert main(["train", str(data), "--out", str(tmp_path / "whole.pt"), *ARGS]) == 0
    first = json.loads(capsys.readouterr().out.splitlines()[0])
    assert first["event"] == "run"
    assert Path(first["run_dir"]).parent == tmp_path / "runs"  # the default runs location

    run_dir = tmp_path / "my run"
    out = tmp_path / "cut.pt"
    proc = subprocess.Popen(tlgui_cmd("train", data, "--out", out, "--run-dir", run_dir, *ARGS),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    try:
        seen = [json.loads(proc.stdout.readline())]
        assert seen[0] == {"event": "run", "run_dir": str(run_dir)}
        while seen[-1].get("event") != "epoch":
            line = proc.stdout.readline()
            assert line, "the run ended before its first epoch"
            seen.append(json.loads(line))
        os.kill(proc.pid, signal.SIGKILL)  # the epoch-1 checkpoint is on disk before the line
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert meta["status"] == "running" and len(meta["history"]) == 1
    assert not out.exists()

    # DATA and --out are left out: the run folder knows them.
    resumed = subprocess.run(tlgui_cmd("train", "--resume", run_dir, "--jsonl"),
                             capture_output=True, text=True, timeout=300, env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    lines = [json.loads(line) for line in resumed.stdout.splitlines()]
    assert lines[0] == {"event": "run", "run_dir": str(run_dir)}
    assert [e["epoch"] for e in lines if e["event"] == "epoch"] == [1, 2]
    assert lines[-1]["event"] == "done" and Path(lines[-1]["checkpoint"]) == out
    assert history(out) == pytest.approx(history(tmp_path / "whole.pt"), rel=1e-5)
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert meta["status"] == "finished" and meta["checkpoint"] == str(out)


def test_train_usage_errors_are_one_line_exit_2(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TLGUI_RUNS_DIR", str(tmp_path / "runs"))
    data = make_dataset(tmp_path / "data", n_train=2, n_val=1)
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "run.json").write_text('{"format": "tlgui-run", "format_version": 1, '
                                    '"config": {}}', encoding="utf-8")
    cases = [
        (["train", "--out", str(tmp_path / "m.pt")], "DATA is required"),
        (["train", str(data)], "--out is required"),
        (["train", "--resume", str(tmp_path / "nowhere")], "not a tlgui run folder"),
        (["train", "--resume", str(taken), "--run-dir", str(tmp_path / "x")],
         "leave out --run-dir"),
        (["train", str(data), "--out", str(tmp_path / "m.pt"), "--run-dir", str(taken)],
         "already holds a run"),
    ]
    for argv, words in cases:
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, (argv, err)
    assert not (tmp_path / "m.pt").exists()
