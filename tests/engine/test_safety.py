"""Model files are untrusted input: a pickle payload never runs, a bundle that does not fit is
refused in one line (CLI exit 2), and every write is atomic even under ``kill -9``."""

from __future__ import annotations

import ast
import builtins
import csv
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch

from tests.helpers import make_image
from tlgui.cli import main as cli_main
from tlgui.engine.backbones import WeightsError, build_backbone
from tlgui.engine.checkpoint import (
    FORMAT_VERSION,
    Bundle,
    BundleError,
    atomic_write,
    load_bundle,
    save_bundle,
)
from tlgui.engine.model import build_model
from tlgui.engine.runs import RunError, RunFolder

ROOT = Path(__file__).resolve().parents[2]


class Payload:
    """Unpickling this calls ``open(marker, "w")``: it would create ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (builtins.open, (self.marker, "w"))


def evil_files(folder: Path, marker: Path) -> list[Path]:
    """The payload in the three shapes a ``.pt`` can take, each looking like a bundle."""
    folder.mkdir(parents=True, exist_ok=True)
    bait = {"format": "tlgui-bundle", "format_version": 1, "backbone": "efficientnet_lite0",
            "classes": ["a", "b"], "state_dict": {"x": Payload(marker)}}
    files = [folder / "zip.pt", folder / "legacy.pt", folder / "raw.pt"]
    torch.save(bait, files[0])
    torch.save(bait, files[1], _use_new_zipfile_serialization=False)
    with open(files[2], "wb") as f:
        pickle.dump(bait, f)
    # Prove the payload is real: a plain unpickler would run it.
    probe = folder / "probe.marker"
    pickle.loads(pickle.dumps(Payload(probe))).close()
    assert probe.exists()
    probe.unlink()
    return files


@pytest.fixture
def evil(tmp_path: Path) -> tuple[list[Path], Path]:
    marker = tmp_path / "PWNED"
    return evil_files(tmp_path / "evil", marker), marker


def test_pickle_payload_is_refused_and_never_runs(evil) -> None:
    files, marker = evil
    for path in files:
        with pytest.raises(BundleError) as err:
            load_bundle(path)
        message = str(err.value)
        assert "\n" not in message and path.name in message
        assert "refused" in message or "not a tlgui model bundle" in message
        assert not marker.exists(), f"{path.name} ran its payload"


def test_payload_in_weights_file_or_resume_checkpoint_never_runs(evil, tmp_path) -> None:
    files, marker = evil
    for path in files:
        with pytest.raises(WeightsError):
            build_backbone("resnet18", str(path))
        run = RunFolder(tmp_path / f"run-{path.stem}")
        run.path.mkdir()
        (run.path / "last.pt").write_bytes(path.read_bytes())
        with pytest.raises(RunError, match="refused|damaged|not a tlgui"):
            run.load_state()
    assert not marker.exists()


def test_cli_refuses_payload_with_exit_2(evil, tmp_path: Path, capsys) -> None:
    files, marker = evil
    img = make_image(tmp_path / "cat.jpg", (200, 40, 40))
    proc = subprocess.run([sys.executable, "-m", "tlgui", "info", str(files[0])],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    for path in files:
        assert cli_main(["info", str(path), "--json"]) == 2
        assert cli_main(["predict", str(path), str(img), "--json"]) == 2
    err = capsys.readouterr().err
    assert all(line.startswith("tlgui ") for line in err.splitlines())
    assert not marker.exists()


@pytest.fixture(scope="module")
def good_payload() -> dict:
    model = build_model("efficientnet_lite0", 2, weights="none")
    bundle = Bundle("efficientnet_lite0", ["cat", "dog"], model.state_dict(), 224,
                    [0.5] * 3, [0.5] * 3)
    return bundle.to_payload()


@pytest.mark.parametrize("change, words", [
    ({"backbone": "resnet9000"}, "needs backbone 'resnet9000'"),
    ({"classes": ["cat", "dog", "bird"]}, "lists 3 classes but its weights have 2 outputs"),
    ({"format_version": FORMAT_VERSION + 1}, "newer tlgui"),
])
def test_bundle_that_does_not_fit_gives_one_line_and_exit_2(good_payload, change, words,
                                                            tmp_path: Path, capsys) -> None:
    path = tmp_path / "odd.pt"
    torch.save({**good_payload, **change}, path)
    with pytest.raises(BundleError, match=words) as err:
        load_bundle(path)
    assert "\n" not in str(err.value)
    img = make_image(tmp_path / "cat.jpg", (200, 40, 40))
    for argv in (["info", str(path)], ["predict", str(path), str(img)],
                 ["evaluate", str(path), str(tmp_path)]):
        capsys.readouterr()
        assert cli_main(argv) == 2, argv
        err_text = capsys.readouterr().err
        assert err_text.count("\n") == 1 and words.split("'")[0] in err_text


def test_the_good_payload_itself_loads(good_payload, tmp_path: Path) -> None:
    path = tmp_path / "good.pt"
    torch.save(good_payload, path)
    assert load_bundle(path).build_model() is not None


def _torch_load_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "load"
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "torch"]


def test_no_unsafe_loading_anywhere_in_tlgui() -> None:
    sources = sorted((ROOT / "tlgui").rglob("*.py"))
    assert sources
    calls = 0
    for src in sources:
        text = src.read_text(encoding="utf-8")
        assert "weights_only=False" not in text.replace(" ", ""), src
        assert "pickle.load(" not in text and "pickle.loads(" not in text, src
        for call in _torch_load_calls(src):
            calls += 1
            kw = {k.arg: k.value for k in call.keywords}
            assert isinstance(kw.get("weights_only"), ast.Constant) \
                and kw["weights_only"].value is True, f"{src}:{call.lineno}"
    assert calls >= 2  # bundles, weights files (and resume checkpoints)


WRITER = textwrap.dedent("""
    import sys, torch
    from tlgui.engine.checkpoint import Bundle, atomic_write, save_bundle
    kind, target = sys.argv[1], sys.argv[2]
    blob = torch.arange(24_000_000, dtype=torch.float32)  # ~96 MB: a write takes a while
    for version in range(1, 10_000):
        if kind == "bundle":
            save_bundle(Bundle("efficientnet_lite0", ["a", "b"], {"blob": blob}, 224,
                               [0.5] * 3, [0.5] * 3, metrics={"version": version}), target)
        else:
            rows = "".join(f"{version},{i},{'x' * 40}\\n" for i in range(400_000))
            atomic_write(target, lambda f: f.write("version,row,pad\\n" + rows + "end\\n"),
                         mode="w")
        print(version, flush=True)
""")


def _kill_mid_write(kind: str, target: Path) -> None:
    """Start a writer that rewrites ``target`` in a loop, let it finish one version, then
    SIGKILL it while a temp file shows that the next write is in progress."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER, kind, str(target)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "1"  # version 1 complete
        deadline = time.monotonic() + 60
        while not list(target.parent.glob(f".{target.name}.*.tmp")):
            assert time.monotonic() < deadline, "the writer never started a second write"
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert list(target.parent.glob(f".{target.name}.*.tmp")), "killed after the write ended"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_bundle_writer_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "model.pt"
    _kill_mid_write("bundle", target)
    bundle = load_bundle(target)
    assert bundle.metrics["version"] >= 1
    assert torch.equal(bundle.state_dict["blob"][-3:], torch.tensor([23_999_997.0,
                                                                     23_999_998.0,
                                                                     23_999_999.0]))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_killed_csv_writer_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "predictions.csv"
    _kill_mid_write("csv", target)
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["version", "row", "pad"] and rows[-1] == ["end"]
    assert len(rows) == 400_002 and len({r[0] for r in rows[1:-1]}) == 1


def test_atomic_write_failure_keeps_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    atomic_write(target, lambda f: f.write(b"old"))

    def explode(f) -> None:
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, explode)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_run_files_are_written_atomically(tmp_path: Path, monkeypatch) -> None:
    from tlgui.engine import checkpoint
    from tlgui.engine.runs import folder

    written: list[str] = []
    real = folder.atomic_write

    def spy(path, write, mode="wb"):
        written.append(Path(path).name)
        return real(path, write, mode)

    monkeypatch.setattr(folder, "atomic_write", spy)  # run folders
    monkeypatch.setattr(checkpoint, "atomic_write", spy)  # bundles
    run = RunFolder.create(tmp_path / "run")
    run.start({"seed": 0}, "x", 0.2, out="m.pt")
    run.save_state({"epoch": 1})
    save_bundle(Bundle("efficientnet_lite0", ["a", "b"], {"w": torch.zeros(1)}, 224,
                       [0.5] * 3, [0.5] * 3), tmp_path / "m.pt")
    assert written == ["run.json", "last.pt", "m.pt"]
    assert run.load_state()["epoch"] == 1
