"""Started where no window can be opened, ``tlgui`` says why in one line instead of letting Qt
abort (tlgui.gui.display, asked by tlgui.cli.run_gui before any QApplication exists)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tlgui.gui.display import debian_package, display_problem, missing_libraries, xcb_plugin

LDD = """\
\tlinux-vdso.so.1 (0x00007ffc)
\tlibQt6XcbQpa.so.6 => /site/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f75)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f75)
\tlibxcb-cursor.so.0 => not found
"""


def problem(env: dict[str, str], missing: list[str] = (), answers: bool = True) -> str | None:
    return display_problem(env, "linux", lambda: list(missing), lambda _d: answers)


def test_ldd_output_gives_each_missing_library_once() -> None:
    assert missing_libraries(LDD) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    assert missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_debian_package_names_follow_the_soname() -> None:
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"


def test_no_display_names_the_missing_variables_and_any_missing_library() -> None:
    assert "DISPLAY and WAYLAND_DISPLAY are not set" in problem({})
    text = problem({}, ["libxcb-cursor.so.0"])
    assert "libxcb-cursor.so.0" in text and "apt install libxcb-cursor0" in text
    assert "\n" not in text


def test_an_x_display_needs_the_plugins_libraries_and_an_answer() -> None:
    assert problem({"DISPLAY": ":0"}) is None
    text = problem({"DISPLAY": ":0"}, ["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert text.startswith("Qt's xcb platform plugin needs libxcb-cursor.so.0, libxcb-icccm.so.4")
    assert "apt install libxcb-cursor0 libxcb-icccm4" in text
    assert problem({"DISPLAY": ":9"}, answers=False) == "the X display :9 does not answer"


def test_wayland_needs_its_socket(tmp_path: Path) -> None:
    (tmp_path / "wayland-0").touch()
    live = {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert problem(live, ["libxcb-cursor.so.0"]) is None  # Qt can use Wayland
    gone = {"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert "DISPLAY and WAYLAND_DISPLAY" in problem(gone)
    assert "no Wayland display" in problem({**gone, "QT_QPA_PLATFORM": "wayland"})


def test_a_chosen_platform_without_a_display_server_is_left_to_qt() -> None:
    for platform in ("offscreen", "minimal", "vnc", "eglfs"):
        assert problem({"QT_QPA_PLATFORM": platform}, ["libxcb-cursor.so.0"]) is None
    assert problem({"QT_QPA_PLATFORM": "xcb"}) is not None
    for system in ("darwin", "win32"):
        assert display_problem({}, system, lambda: ["x"], lambda _d: False) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux's")
def test_the_xcb_plugin_is_found_in_pyside6() -> None:
    plugin = xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so" and plugin.is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs a Linux without display")
def test_tlgui_without_a_display_prints_one_line_instead_of_aborting() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    run = subprocess.run(
        [sys.executable, "-m", "tlgui"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 2, run.stderr
    assert run.stdout == "" and run.stderr.count("\n") == 1
    assert run.stderr.startswith("tlgui: the desktop app cannot start: no display")
    assert "tlgui train | " in run.stderr and "(tlgui --help)" in run.stderr
    assert "qt.qpa" not in run.stderr
