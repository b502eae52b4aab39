"""File ▸ Export ▸ Training script…: the code view from the Train settings before any model and
from an opened model; read-only, coloured, flavour and language switches, Copy and Save."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QMenu, QPlainTextEdit, QPushButton

from tlgui.gui.code_view import CodeView


def open_view(window) -> CodeView:
    window.actionExportTrainingScript.trigger()
    views = [v for v in window.findChildren(CodeView, "codeView") if v.isVisible()]
    assert len(views) == 1
    return views[0]


def test_script_of_the_settings_then_of_an_opened_model(
    window, bundle_path: Path, tmp_path: Path
) -> None:
    menu = window.findChild(QMenu, "exportMenu")
    assert window.actionExportTrainingScript in menu.actions()
    window.train_page.apply_config({"mode": "finetune", "lr_head": 0.0042})
    view = open_view(window)
    source = view.findChild(QComboBox, "codeViewSourceCombo")
    assert [source.itemText(i) for i in range(source.count())] == ["Current Train settings"]
    editor = view.findChild(QPlainTextEdit, "codeViewEditor")
    assert editor.isReadOnly() and view.highlighter.document() is editor.document()
    text = editor.toPlainText()
    assert '\nMODE = "finetune"  #' in text and "\nLR_HEAD = 0.0042  #" in text
    assert "import lightning" not in text and "CLASSES" not in text
    # A keyword is coloured (the highlighter formatted the block).
    block = editor.document().findBlockByNumber(text.split("\n").index("import argparse"))
    assert any(r.format.fontWeight() > 400 for r in block.layout().formats())

    view.findChild(QComboBox, "codeViewFlavorCombo").setCurrentIndex(1)
    assert "import lightning as L" in editor.toPlainText()
    view.findChild(QComboBox, "codeViewLangCombo").setCurrentIndex(1)
    assert "ファインチューニング" in editor.toPlainText()

    view.findChild(QPushButton, "codeViewCopyButton").click()
    assert QGuiApplication.clipboard().text() == editor.toPlainText()
    out = tmp_path / "sub" / "train.py"
    assert view.save(str(out))
    assert out.read_text(encoding="utf-8") == editor.toPlainText()
    view.close()

    # A model is opened: it comes first, with its own settings and classes.
    assert window.open_model(str(bundle_path))
    view = open_view(window)
    source = view.findChild(QComboBox, "codeViewSourceCombo")
    assert source.count() == 2 and source.itemText(0) == "Model colours.pt"
    text = view.script()
    assert '\nCLASSES = ["blue", "red"]' in text and "from colours.pt" in text
    source.setCurrentIndex(1)
    assert "CLASSES" not in view.script()
    view.close()


def test_a_run_trained_just_now_comes_with_its_classes(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from tlgui.engine.config import TrainConfig
    from tlgui.gui.code_view import script_sources

    run = tmp_path / "20250101-120000"
    run.mkdir()
    (run / "run.json").write_text('{"config": {"mode": "staged", "epochs": 6}, "val_split": 0.3}')
    result = SimpleNamespace(config=TrainConfig(mode="staged", epochs=6), classes=["a", "b"])
    window = SimpleNamespace(
        results_page=SimpleNamespace(source=SimpleNamespace(bundle=None, fit_result=result)),
        fit_run_dir=str(run),
        data_page=SimpleNamespace(scan=None),
        train_page=SimpleNamespace(config_dict=lambda: {"mode": "transfer"}),
    )
    (label, recipe), (_label, settings) = script_sources(window)
    assert label == "Model trained in run 20250101-120000"
    assert (recipe.classes, recipe.val_split, recipe.config.epochs) == (("a", "b"), 0.3, 6)
    assert settings.config.mode == "transfer" and settings.classes == ()
