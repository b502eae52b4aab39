"""Can the desktop app open a window here? Asked before the ``QApplication`` exists, because
Qt answers "no" by aborting the process with a screenful about platform plugins.

:func:`display_problem` returns ``None`` when a window can be opened (or the answer belongs to
Qt: macOS, Windows, or a platform chosen in ``QT_QPA_PLATFORM`` such as ``offscreen``), else
one sentence on why not. On Linux it names what is missing:

- no display at all (``DISPLAY`` and ``WAYLAND_DISPLAY`` unset, or the Wayland socket absent);
- an X display that does not answer (checked with libxcb's own ``xcb_connect``);
- the system libraries Qt's xcb platform plugin needs and cannot find (read from ``ldd`` of
  PySide6's ``libqxcb.so``; since Qt 6.5 most often ``libxcb-cursor.so.0``), with the
  Debian/Ubuntu package names made from their sonames (``libxcb-cursor0``).

Imports no Qt module: finding PySide6's plugin folder does not load Qt.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# Platforms that open windows on a display server; any other (offscreen, minimal, vnc, eglfs,
# linuxfb) is the user's explicit choice, and Qt reports on it itself.
_DISPLAY_PLATFORMS = ("xcb", "wayland", "wayland-egl")
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


def xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so``, or None when PySide6 or the plugin is not there."""
    spec = importlib.util.find_spec("PySide6")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if path.is_file():
            return path
    return None


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reported as ``not found``, each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships ``soname`` by their naming policy:
    ``libxcb-cursor.so.0`` -> ``libxcb-cursor0``, ``libxkbcommon-x11.so.0`` ->
    ``libxkbcommon-x11-0``."""
    base, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    if not version:
        return base
    return f"{base}-{version}" if base[-1:].isdigit() else f"{base}{version}"


def xcb_missing_libraries(plugin: Path | None = None) -> list[str]:
    """The system libraries the xcb plugin cannot find here (empty when none are missing, or
    when ``ldd`` or the plugin is not there to ask)."""
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        run = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return missing_libraries(run.stdout)


def x_display_answers(display: str) -> bool:
    """Whether the X server at ``display`` accepts a connection (libxcb's ``xcb_connect``);
    True when libxcb itself is not there to ask (the plugin check names it then)."""
    name = ctypes.util.find_library("xcb")
    if name is None:
        return True
    try:
        xcb = ctypes.CDLL(name)
    except OSError:
        return True
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection is not None:
            xcb.xcb_disconnect(connection)


def _wayland_socket(env: Mapping[str, str]) -> bool:
    name = env.get("WAYLAND_DISPLAY")
    if not name:
        return False
    path = Path(name) if os.path.isabs(name) else Path(env.get("XDG_RUNTIME_DIR", "")) / name
    return path.exists()


def _missing_text(missing: list[str]) -> str:
    packages = " ".join(debian_package(m) for m in missing)
    return (
        f"Qt's xcb platform plugin needs {', '.join(missing)}, which "
        f"{'is' if len(missing) == 1 else 'are'} not installed "
        f"(Debian/Ubuntu: sudo apt install {packages})"
    )


def display_problem(
    env: Mapping[str, str] | None = None,
    system: str | None = None,
    missing: Callable[[], list[str]] = xcb_missing_libraries,
    x_answers: Callable[[str], bool] = x_display_answers,
) -> str | None:
    """Why no window can be opened here (one sentence), or None (module docstring).
    ``env``, ``system``, ``missing`` and ``x_answers`` default to this process's and this
    machine's; tests pass their own."""
    env = os.environ if env is None else env
    system = sys.platform if system is None else system
    if not system.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    chosen = [p.split(":")[0].strip() for p in env.get("QT_QPA_PLATFORM", "").split(";")]
    chosen = [p for p in chosen if p]
    if chosen and not any(p in _DISPLAY_PLATFORMS for p in chosen):
        return None
    wants_x = not chosen or "xcb" in chosen
    wants_wayland = not chosen or any(p.startswith("wayland") for p in chosen)
    if wants_wayland and _wayland_socket(env):
        return None
    display = env.get("DISPLAY", "") if wants_x else ""
    absent = missing() if wants_x else []
    if display and not absent:
        if x_answers(display):
            return None
        return f"the X display {display} does not answer"
    if display:
        return _missing_text(absent)
    reason = (
        "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set)"
        if wants_x
        else "no Wayland display to open a window on (WAYLAND_DISPLAY is not set or its "
        "socket is missing)"
    )
    return f"{reason}; also, {_missing_text(absent)}" if absent else reason


__all__ = [
    "debian_package",
    "display_problem",
    "missing_libraries",
    "x_display_answers",
    "xcb_missing_libraries",
    "xcb_plugin",
]
