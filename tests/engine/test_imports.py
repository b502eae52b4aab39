"""Import-time contracts: the engine never imports Qt; the CLI's help does not load torch."""

from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = ["data", "augment", "backbones", "model", "trainer", "events", "checkpoint",
                  "predict", "metrics"]


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


def test_engine_imports_no_qt() -> None:
    code = "\n".join(f"import tlgui.engine.{m}" for m in ENGINE_MODULES)
    loaded = _modules_after(code)
    assert not {m for m in loaded if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5",
                                                         "PyQt6", "qtpy")}


def test_cli_parser_does_not_import_torch() -> None:
    loaded = _modules_after("import tlgui.cli; tlgui.cli.build_parser()")
    assert "torch" not in loaded


def test_run_folder_metadata_is_written_without_torch(tmp_path) -> None:
    """The GUI reads and writes run.json on its own thread: that must not import torch."""
    code = (f"import os; os.environ['TLGUI_RUNS_DIR'] = {str(tmp_path)!r}\n"
            "from tlgui.engine.runs import RunFolder\n"
            "run = RunFolder.create(); run.start({}, '/d', 0.2)\n"
            "assert RunFolder.open(run.path).meta()['data'] == '/d'")
    assert "torch" not in _modules_after(code)
