"""The architecture is enforced, not hoped for: the import contracts in pyproject.toml
(``lint-imports``), ruff, and small modules. Part of the README's test command."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tlgui"
MAX_LINES = 450  # the hard limit; aim for 400


def _tool(name: str) -> str:
    """The console script ``name`` of this environment (beside the running Python)."""
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_import_contracts_are_kept() -> None:
    """The engine imports no Qt; the CLI and the GUI use the engine, which uses neither."""
    run = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_the_engine_never_selects_a_plotting_backend() -> None:
    """matplotlib's Qt backends (and pyplot, which may pick one) are GUI-only; the engine
    draws with colormaps and plain figures. import-linter cannot name a sub-package of an
    outside library, so this reads the engine's imports itself."""
    offending = []
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offending += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.startswith(("matplotlib.backends", "matplotlib.pyplot"))
            ]
    assert offending == []


def test_ruff_is_clean() -> None:
    run = subprocess.run(
        [_tool("ruff"), "check", "tlgui", "tests", "benchmarks", "scripts"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
