"""The Japanese translation: every string of the UI is in ``resources/i18n/tlgui_ja.ts`` and
translated, the shipped ``.qm`` is compiled from it, and the window shows it.

When a check here fails, ``python -m tlgui.gui.i18n_tools`` updates the ``.ts`` and ``.qm``
and prints each string that still needs a translation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu

from tlgui.gui import i18n, i18n_tools
from tlgui.gui.i18n_tools import Message

FIX = "Run `python -m tlgui.gui.i18n_tools`, translate what it lists, and run it again."


def _lines(title: str, messages: list[Message]) -> list[str]:
    return [f"{title} {m.context}: {json.dumps(m.source, ensure_ascii=False)}" for m in messages]


def test_the_japanese_translation_ships() -> None:
    assert [ts.name for ts in i18n_tools.ts_files()] == ["tlgui_ja.ts"]
    assert i18n.available_languages() == ["en", "ja"]
    assert i18n.language_name("ja") == "日本語"


def test_every_ui_string_is_in_the_ts_file_and_translated() -> None:
    """lupdate's view of the code now, against the committed .ts: nothing missing, nothing
    unfinished, every string under a context the app looks up, placeholders kept."""
    current = i18n_tools.extracted()
    assert len(current) > 300  # lupdate found the UI's strings at all
    problems = _lines("not looked up at run time:", i18n_tools.bad_contexts(current))
    for ts in i18n_tools.ts_files():
        problems += _lines(f"missing from {ts.name}:", i18n_tools.missing(ts, current))
        problems += _lines(f"untranslated in {ts.name}:", i18n_tools.unfinished(ts))
        problems += _lines("placeholders differ:", i18n_tools.bad_placeholders(ts))
        problems += _lines(f"no longer in the code ({ts.name}):", i18n_tools.stale(ts, current))
    assert not problems, "\n".join([*problems, FIX])


def test_the_field_texts_repeat_the_engine_fields() -> None:
    text = i18n_tools.FIELD_TEXTS.read_text(encoding="utf-8")
    assert text == i18n_tools.field_texts_source(), FIX


def test_the_shipped_qm_files_are_compiled_from_the_ts_files() -> None:
    stale = [ts.name for ts in i18n_tools.ts_files() if not i18n_tools.qm_is_current(ts)]
    assert not stale, f"{stale}: {FIX}"


def test_translations_use_the_learners_terms() -> None:
    """The words of Japanese PyTorch material, where the UI names those ideas."""
    (ts,) = i18n_tools.ts_files()
    by_source = {(m.context, m.source): m.translation for m in i18n_tools.read_messages(ts)}
    expected = {
        ("TrainForm", "Transfer"): "転移学習",
        ("TrainForm", "Fine-tune"): "ファインチューニング",
        ("Fields", "Head learning rate"): "学習率",
        ("MainWindow", "Augment"): "データ拡張",
        ("Fields", "Epochs"): "エポック",
        ("TrainPage", "Val loss"): "検証",
        ("MainWindow", "Predict"): "推論",
        ("ResultsPage", "Confusion matrix and per-class metrics"): "混同行列",
    }
    for key, term in expected.items():
        assert term in by_source[key], key


def test_the_system_locale_chooses_the_language() -> None:
    assert i18n.system_language(["ja-JP", "en-US"]) == "ja"
    assert i18n.system_language(["ja"]) == "ja"
    assert i18n.system_language(["fr-FR", "de"]) == "en"
    assert i18n.system_language(["en-GB", "ja-JP"]) == "en"
    assert i18n.resolve("ja") == "ja"
    assert i18n.resolve("xx") == i18n.resolve(i18n.SYSTEM)


@pytest.fixture
def japanese(qapp: QApplication):
    translators = i18n.install_translators(qapp, "ja")
    yield translators
    i18n.remove_translators(qapp, translators)


def test_the_window_speaks_japanese(japanese, qtbot) -> None:
    from tlgui.gui.main_window import MainWindow

    assert len(japanese) == 2  # tlgui's own and Qt's (qtbase_ja)
    window = MainWindow(lazy=True)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
    assert {"ファイル(&F)", "学習(&T)", "表示(&V)", "ヘルプ(&H)"} <= set(titles)
    steps = [window.steps.item(i).text().split()[-1] for i in range(window.steps.count())]
    assert steps == ["データ", "データ拡張", "学習", "結果", "推論"]
    assert window.train_page.startTrainingButton.text() == "学習を開始"
    assert window.train_page.form.modeRadios["transfer"].text() == "転移学習"
    assert window.windowTitle() == "tlgui — 画像の転移学習"
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)  # Qt's own strings too
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "キャンセル"
    window.unsaved = False


def test_the_app_starts_in_the_language_of_the_preferences(tmp_path: Path) -> None:
    """The whole chain in a fresh process: the stored choice, make_app, the window."""
    code = (
        "from PySide6.QtCore import QSettings as S\n"
        f"S.setPath(S.Format.IniFormat, S.Scope.UserScope, {str(tmp_path)!r})\n"
        "from tlgui.gui.settings import make_settings\n"
        "make_settings().setValue('preferences/language', 'ja')\n"
        "from tlgui.gui.app import make_app\n"
        "app = make_app([])\n"
        "from tlgui.gui.main_window import MainWindow\n"
        "w = MainWindow(lazy=True)\n"
        "print(w.steps.item(4).text().split()[-1])\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "推論"


def test_figures_fall_back_to_the_fonts_qt_has_for_japanese(qapp, monkeypatch) -> None:
    """matplotlib's default font has no Japanese: the families Qt lists for the CJK scripts
    that matplotlib can load follow it (a font it cannot load is left out)."""
    import matplotlib

    from tlgui.gui import plot_fonts

    listed = {"DejaVu Serif", "No Such Font"}  # DejaVu Serif ships with matplotlib
    monkeypatch.setattr(plot_fonts.QFontDatabase, "families", lambda _script: sorted(listed))
    monkeypatch.setattr(plot_fonts, "_done", [])
    assert plot_fonts.fallback_families() == ["DejaVu Serif"]
    with matplotlib.rc_context():
        plot_fonts.use_fallback_fonts()
        assert list(matplotlib.rcParams["font.family"])[-1] == "DejaVu Serif"
