"""Start-up stays light: the window module must not pull in torch (seconds to import)."""

from __future__ import annotations

import os
import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"{statement}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return set(out.stdout.split())


def test_importing_the_main_window_does_not_import_torch() -> None:
    modules = _modules_after("import tlgui.gui.main_window, tlgui.gui.app")
    assert "tlgui.gui.main_window" in modules
    assert "torch" not in modules
    assert "torchvision" not in modules


def test_building_a_lazy_window_does_not_import_torch_or_matplotlib() -> None:
    modules = _modules_after(
        "from tlgui.gui.app import make_app\n"
        "app = make_app([])\n"
        "from tlgui.gui.main_window import MainWindow\n"
        "w = MainWindow(lazy=True)"
    )
    assert "torch" not in modules
    assert "matplotlib" not in modules


def test_app_icon_ships_inside_the_package_at_every_size(qapp) -> None:
    from tlgui.gui.resources import ICON_SIZES, app_icon, icon_path

    assert all(icon_path(size).is_file() for size in ICON_SIZES)  # tests/test_packaging.py: more
    icon = app_icon()
    assert not icon.isNull() and {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)


def test_lazy_window_builds_plots_after_it_is_shown(qtbot, tiny_dataset) -> None:
    from tlgui.gui.main_window import MainWindow

    w = MainWindow(lazy=True)
    qtbot.addWidget(w)
    assert w.results_page is None and w.train_page.curvesCanvas is None
    w.load_dataset(tiny_dataset)  # reaches the results page once it exists
    w.show()
    qtbot.waitUntil(lambda: w.results_page is not None, timeout=60_000)
    assert w.stack.widget(3) is w.results_page
    assert w.train_page.curvesCanvas is not None
    assert w.results_page.scan is not None


def test_the_app_tunes_the_process_before_its_window_and_for_its_whole_life() -> None:
    """Runs train on a worker thread, whose big blocks are only reused from the one shared
    arena: ``main`` sets it before it makes the QApplication, and keeps big freed blocks for
    reuse until the app has quit (tlgui.process). In a subprocess: a real ``main`` leaves a
    quit application behind."""
    code = (
        "import tlgui.engine.memory as m, tlgui.gui.app as a\n"
        "order = []\n"
        "m.single_arena = lambda: order.append('arena') or True\n"
        "m._set = lambda p, v: order.append(f'mallopt {p} {v}') or True\n"
        "real = a.make_app\n"
        "a.make_app = lambda argv=None: order.append('app') or real(argv)\n"
        "a.main([])\n"
        "print('|'.join(order))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TLGUI_QUIT_AFTER_PAINT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    order = out.stdout.strip().split("\n")[-1].split("|")
    mmap, trim = -3, -1  # glibc's M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    assert order == [
        "arena",
        f"mallopt {mmap} {1 << 30}",
        f"mallopt {trim} {(1 << 31) - 1}",
        "app",
        f"mallopt {mmap} {128 * 1024}",
        f"mallopt {trim} {128 * 1024}",
    ]


def test_only_the_leaking_binding_on_mortal_singletons_is_warned_about() -> None:
    from tlgui.gui.app import binding_warning

    warning = binding_warning("6.12.0", (3, 11))
    assert warning is not None and "6.12.0" in warning and "\n" not in warning
    assert binding_warning("6.12.0", (3, 12)) is None
    assert binding_warning("6.11.3", (3, 10)) is None
