"""``tlgui train`` under ``torchrun --nproc-per-node 2`` (gloo on the CPU), from a run file.

What the maths allows to compare with one process on the same data (``RUN`` below):
transfer mode on cached features, no dropout, no augmentation, a batch that divides evenly
and a training split that divides evenly (no padding duplicates). Then each step's batch is
the same pictures split over the two processes, DDP averages the two halves' gradients, which
is the gradient of the whole batch, and the metrics are summed / gathered over both: the
epochs agree to float rounding (the features are computed in other batch groupings, so not
bit for bit). Fine-tuning is only checked to run: BatchNorm normalises each process's half
batch with its own statistics (and keeps process 0's running ones), so its numbers differ.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_dataset, make_image
from tlgui.cli import main
from tlgui.engine.checkpoint import load_bundle
from tlgui.engine.predict import Predictor

ROOT = Path(__file__).resolve().parents[2]
RUN = {
    "format": "tlgui-run-config",
    "format_version": 1,
    "config": {
        "backbone": "mobilenet_v3_large",
        "weights": "none",
        "mode": "transfer",
        "epochs": 2,
        "batch_size": 4,
        "workers": 0,
        "patience": 0,
        "dropout": 0.0,
        "inference_backend": "torch",
        "augment": {"enabled": False},
    },
    "data": "data",
    "val_split": None,
    "out": "model.pt",
}
# Rank 1 raises as epoch 2 starts: loaded at start-up in every process of the failing run.
FAIL_ON_RANK_1 = """
import os
if os.environ.get("RANK") == "1":
    from tlgui.engine.train import loop

    _train_pass = loop.FitLoop.train_pass

    def train_pass(self, model, epoch, callbacks=None):
        if epoch == 2:
            raise RuntimeError("injected failure")
        return _train_pass(self, model, epoch, callbacks)

    loop.FitLoop.train_pass = train_pass
"""


def torchrun(*args: object, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         "-m", "tlgui", "train", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def epochs(events: list[dict]) -> list[float]:
    """Every epoch's numbers, flattened for ``approx``."""
    return [v for e in events if e["event"] == "epoch"
            for v in (e["train_loss"], e["train_acc"], e["val_loss"], e["val_acc"], *e["lr"])]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("ddp")
    make_dataset(tmp / "data", n_train=4, n_val=2)
    (tmp / "run.json").write_text(json.dumps(RUN))
    return tmp


@pytest.fixture(scope="module")
def two_processes(work: Path):
    """The transfer run in two processes, whole."""
    run = torchrun("--config", "run.json", "--jsonl", "--run-dir", work / "ddp-run", cwd=work)
    assert run.returncode == 0, run.stderr[-3000:]
    return lines(run.stdout)


def test_two_processes_match_one(work: Path, two_processes, capsys, monkeypatch) -> None:
    events = two_processes
    kinds = [e["event"] for e in events]
    assert kinds.count("run") == 1 and kinds.count("epoch") == 2  # process 0 alone prints
    done = [e for e in events if e["event"] == "done"]
    assert len(done) == 1 and done[0]["world_size"] == 2

    monkeypatch.chdir(work)
    assert main(["train", "--config", "run.json", "--jsonl", "--out", "one.pt"]) == 0
    single = lines(capsys.readouterr().out)
    assert single[-1]["world_size"] == 1
    assert epochs(events) == pytest.approx(epochs(single), abs=1e-3)

    both, one = load_bundle(work / "model.pt"), load_bundle(work / "one.pt")
    assert both.classes == one.classes and both.config == one.config
    assert both.metrics["val"]["n"] == one.metrics["val"]["n"] == 4  # whole split, gathered
    assert both.metrics["val"]["confusion_matrix"] == one.metrics["val"]["confusion_matrix"]
    picture = make_image(work / "new.jpg", (200, 40, 40), seed=7)
    label, prob = Predictor.from_bundle(both).predict_paths([str(picture)])[0].top[0]
    assert label in both.classes and 0 <= prob <= 1


@pytest.mark.slow
def test_a_failing_process_stops_all_and_the_run_resumes(work: Path, two_processes) -> None:
    hook = work / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(FAIL_ON_RANK_1)
    run_dir = work / "failed-run"
    failed = torchrun("--config", "run.json", "--jsonl", "--run-dir", run_dir, "--out", "f.pt",
                      cwd=work, env={"PYTHONPATH": f"{hook}{os.pathsep}{ROOT}"})
    assert failed.returncode != 0
    said = [line for line in failed.stderr.splitlines() if line.startswith("tlgui train:")]
    assert len(said) == 2, failed.stderr[-3000:]  # one line from each process, same cause
    assert all("RuntimeError: injected failure" in line for line in said)
    assert any("process 1 of the run failed" in line for line in said)
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["status"] == "failed" and "injected failure" in meta["error"]

    resumed = torchrun("--resume", run_dir, "--jsonl", cwd=work)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    events = lines(resumed.stdout)
    assert events[-1]["world_size"] == 2 and load_bundle(work / "f.pt").history
    assert epochs(events) == pytest.approx(epochs(two_processes), abs=1e-6)


@pytest.mark.slow
def test_fine_tune_in_two_processes(work: Path) -> None:
    run = torchrun("--config", "run.json", "--mode", "finetune", "--epochs", "1", "--jsonl",
                   "--out", "ft.pt", cwd=work)
    assert run.returncode == 0, run.stderr[-3000:]
    events = lines(run.stdout)
    assert [e["event"] for e in events].count("epoch") == 1
    assert events[-1]["event"] == "done" and events[-1]["world_size"] == 2
    bundle = load_bundle(work / "ft.pt")
    assert bundle.config["mode"] == "finetune" and bundle.config["epochs"] == 1
    assert Predictor.from_bundle(bundle).predict_paths([str(work / "data/val/red/red_000.jpg")])
