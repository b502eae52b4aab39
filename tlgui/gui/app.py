"""``tlgui`` with no arguments: the desktop app.

The window is shown first; torch (seconds to import) loads afterwards on a worker thread, so
the app feels instant. ``TLGUI_QUIT_AFTER_PAINT=1`` quits right after the first paint and
prints the launch time (used by benchmarks/bench_gui.py).
"""

from __future__ import annotations

import os
import sys
import time

T_START = time.perf_counter()

from PySide6.QtCore import QLocale, QTimer, QTranslator  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from .. import __version__  # noqa: E402
from .resources import app_icon, translations_dir  # noqa: E402
from .settings import APP_NAME, organization  # noqa: E402


def install_translator(app: QApplication) -> QTranslator | None:
    """Load ``resources/translations/tlgui_<locale>.qm`` when one exists for the UI language."""
    translator = QTranslator(app)
    if translator.load(QLocale(), "tlgui", "_", str(translations_dir())):
        app.installTranslator(translator)
        return translator
    return None


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(organization())
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("tlgui")
    app.setWindowIcon(app_icon())
    if os.environ.get("TLGUI_STYLE", "Fusion"):
        app.setStyle(os.environ.get("TLGUI_STYLE", "Fusion"))
    install_translator(app)
    return app


def main(argv: list[str] | None = None) -> int:
    # Before any thread exists: runs train on a worker thread, whose big per-batch blocks are
    # only reused from one shared malloc arena (see tlgui.engine.memory, torch-free).
    from ..engine.memory import single_arena
    from .binding_guard import check_binding

    single_arena()
    check_binding()  # before the app makes its first Qt calls
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
