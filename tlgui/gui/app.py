"""``tlgui`` with no arguments: the desktop app.

The window is shown first; torch (seconds to import) loads afterwards on a worker thread, so
the app feels instant. ``TLGUI_QUIT_AFTER_PAINT=1`` quits right after the first paint and
prints the launch time (used by benchmarks/bench_gui.py).

:func:`main` is one of tlgui's two entry points (the other is :mod:`tlgui.cli`): it applies
the process-wide settings of :mod:`tlgui.process` for the app's whole life, before any thread
exists; the engine and the windows change none.
"""

from __future__ import annotations

import os
import sys
import time

T_START = time.perf_counter()

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from .. import __version__  # noqa: E402
from .i18n import install_translators  # noqa: E402
from .preference_store import language  # noqa: E402
from .resources import app_icon  # noqa: E402
from .settings import APP_NAME, organization  # noqa: E402


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(organization())
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("tlgui")
    app.setWindowIcon(app_icon())
    if os.environ.get("TLGUI_STYLE", "Fusion"):
        app.setStyle(os.environ.get("TLGUI_STYLE", "Fusion"))
    # The Preferences' language, or the system's: before any window sets its texts.
    install_translators(app, language())
    return app


# PySide6 6.12.0 drops a reference to None/True/False on every void call and signal emit; on
# Pythons before 3.12 (where they are mortal) a long session then aborts. pyproject excludes
# that release for pip installs; an environment built another way (conda, system packages,
# --no-deps) is told at start.
_LEAKING_BINDING = "6.12.0"


def binding_warning(binding_version: str, python: tuple[int, int]) -> str | None:
    """The one-line warning for a Qt binding known to abort long sessions, or ``None``."""
    if binding_version != _LEAKING_BINDING or python >= (3, 12):
        return None
    return (
        f"tlgui: PySide6 {binding_version} on Python {python[0]}.{python[1]} aborts long "
        "sessions (it releases references to None and True it never took); install "
        "another PySide6-Essentials release or use Python 3.12+."
    )


def main(argv: list[str] | None = None) -> int:
    from PySide6 import __version__ as binding_version

    from ..process import quiet_export_warnings, quiet_image_warnings, tuned_for_training

    # First thing, before any thread exists: runs train on a worker thread (see tlgui.process).
    with tuned_for_training(worker_thread=True):
        quiet_image_warnings()
        quiet_export_warnings()
        warning = binding_warning(binding_version, sys.version_info[:2])
        if warning:
            print(warning, file=sys.stderr)
        app = make_app(argv)
        from .main_window import MainWindow

        window = MainWindow(lazy=True)
        window.show()
        if os.environ.get("TLGUI_QUIT_AFTER_PAINT"):

            def painted() -> None:
                print(f"first-paint {time.perf_counter() - T_START:.3f}", flush=True)
                window.unsaved = False
                app.quit()

            window.repaint()
            QTimer.singleShot(0, painted)
        return app.exec()
