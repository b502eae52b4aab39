"""The model inspector window follows the Train form (mode, learning rates, backbone) with
answers built on background jobs, and tries a picture; View ▸ Model inspector… and the Train
step's button open it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QTableWidget, QTreeWidget

from tlgui.engine import augment
from tlgui.gui.inspector import ModelInspector
from tlgui.gui.pages.train_form import TrainForm

CHELSEA = Path(__file__).parents[1] / "data" / "chelsea.jpg"
CATS = ("tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat")
WAIT_MS = 120_000


def _groups(table: QTableWidget) -> list[tuple[str, str]]:
    return [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]


def test_inspector_follows_the_form_and_tries_a_picture(qtbot) -> None:
    form = TrainForm()
    qtbot.addWidget(form)

    def config() -> dict:
        return {**form.config_dict(), "augment": augment.preset("default").to_dict()}

    dialog = ModelInspector(config, lambda: None)
    qtbot.addWidget(dialog)
    dialog.watch(form)
    tree = dialog.findChild(QTreeWidget, "inspectorLayerTree")
    table = dialog.findChild(QTableWidget, "inspectorGroupsTable")
    totals = dialog.findChild(QLabel, "inspectorTotalsLabel")
    with qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS):
        dialog.show()
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == [
        "backbone",
        "head",
    ]
    head = tree.topLevelItem(1)
    assert (head.text(2), head.text(3)) == ("2,562", "yes")
    assert tree.topLevelItem(0).text(3) == "no"
    assert "2,562 trainable, 3,371,008 frozen" in totals.text()
    assert _groups(table) == [("head", "0.003"), ("head", "0.003")]
    steps = dialog.findChild(QPlainTextEdit, "inspectorPreprocessText").toPlainText()
    assert "Resize(size=[256]" in steps and "RandomResizedCrop(size=[224, 224]" in steps

    # Fine-tune, then a new backbone learning rate: each change shows a moment later.
    with qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS):
        form.modeRadios["finetune"].setChecked(True)
    assert "3,373,570 trainable, 0 frozen" in totals.text()
    assert [g for g, _lr in _groups(table)] == ["backbone", "backbone", "head", "head"]
    assert "RandomResizedCrop(size=[176, 176]" in dialog.preprocessText.toPlainText()
    with qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS):
        form.backboneLrSpin.setValue(0.0005)
    assert _groups(table)[0] == ("backbone", "0.0005")

    # Staged: two phases, the head at half its rate once everything trains.
    with qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS):
        form.modeRadios["staged"].setChecked(True)
    assert totals.text().count("Phase") == 2
    assert tree.topLevelItem(1).text(3) == "yes → yes"
    assert tree.topLevelItem(0).text(3) == "no → yes"
    assert ("head", "0.0015") in _groups(table)

    # One picture through the network: the pretrained network sees a cat.
    with qtbot.waitSignal(dialog.pictureShown, timeout=WAIT_MS):
        dialog.try_picture(str(CHELSEA))
    output = dialog.findChild(QPlainTextEdit, "inspectorOutputText").toPlainText()
    assert "shape [1, 3, 224, 224]" in output and "shape [1, 2]" in output
    top5 = output.split("replaced:")[1].split("\n\n")[0]
    assert any(cat in top5 for cat in CATS)
    assert dialog.findChild(QPushButton, "inspectorTryPictureButton").isEnabled()

    # The backbone changes: the structure, and the tried picture, follow it.
    with (
        qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS),
        qtbot.waitSignal(dialog.pictureShown, timeout=WAIT_MS),
    ):
        form.fields["weights"].set_value("none")
        form.fields["backbone"].set_value("resnet18")
    assert tree.topLevelItem(0).child(0).text(0) == "conv1"
    assert "ImageNet top-5: none" in dialog.outputText.toPlainText()


def test_menu_action_and_train_button_open_the_inspector(window, qtbot) -> None:
    window.findChild(QPushButton, "inspectModelButton").click()
    dialog = window.findChild(ModelInspector, "modelInspector")
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    action = next(a for a in window.actions() if a.objectName() == "actionModelInspector")
    with qtbot.waitSignal(dialog.structureShown, timeout=WAIT_MS):
        action.trigger()
    assert dialog.isVisible()
    assert window.findChildren(ModelInspector) == [dialog]  # one window, brought forward
    assert dialog.findChild(QTreeWidget, "inspectorLayerTree").topLevelItemCount() == 2
