"""``tlgui doctor DATA``: the JSON contract, the text summary, bad input, and leak-free splits
of a folder of class folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.doctor_data import crop_picture, make_crops_dataset
from tlgui.cli import main as cli_main
from tlgui.engine.data import scan_dataset, stratified_split
from tlgui.engine.data.duplicates import duplicate_groups, save_near_duplicates

ARGS = ["--inference-backend", "torch"]


def test_doctor_json_then_text_from_the_feature_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLGUI_FEATURE_STORE", "on")
    root = make_crops_dataset(tmp_path / "data", n_train=4, n_val=1, classes=("red", "blue"))
    twin = root / "train" / "red" / "red_001.jpg"
    shutil.copyfile(twin, root / "val" / "red" / "twin.jpg")
    assert cli_main(["doctor", str(root), "--json", *ARGS]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["images"] == 11 and data["classes"]["names"] == ["blue", "red"]
    assert data["classes"]["counts"]["red"] == {"train": 4, "val": 2}
    assert data["classes"]["imbalance_ratio"] == 1.0
    (group,) = [g for g in data["near_duplicates"] if g["exact"]]
    assert group["cross_split"] and sorted(group["splits"]) == ["train", "val"]
    assert set(group["paths"]) == {str(twin), str(root / "val" / "red" / "twin.jpg")}
    assert isinstance(data["label_issues"], list) and isinstance(data["outliers"], list)
    assert data["features"]["computed"] == 11 and data["seconds"] > 0
    assert cli_main(["doctor", str(root), *ARGS]) == 0
    text = capsys.readouterr().out
    assert "Checked 11 images in 2 classes" in text
    assert "0 computed, 11 from the feature store" in text
    assert "across splits" in text and "identical" in text


def test_doctor_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["doctor", str(tmp_path / "missing"), *ARGS]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tlgui doctor: error: dataset folder not found") and "\n" not in err
    with pytest.raises(SystemExit) as exc:
        cli_main(["doctor", str(tmp_path), "--backbone", "nonet"])
    assert exc.value.code == 2


def test_a_split_tlgui_makes_keeps_duplicates_together(tmp_path: Path) -> None:
    root = tmp_path / "flat"  # class folders only: tlgui splits them
    for k, cls in enumerate(("red", "blue")):
        for i in range(10):
            crop_picture(root / cls / f"{cls}_{i:03d}.jpg", cls, seed=100 * k + i)
    for i in range(6):  # identical files, some of which the plain split would cut apart
        shutil.copyfile(root / "red" / f"red_{i:03d}.jpg", root / "red" / f"red_{i:03d}_copy.jpg")

    def sides(scan) -> dict[str, str]:
        return {Path(s.path).name: split for split, ss in scan.splits.items() for s in ss}

    apart = sides(scan_dataset(root, val_split=0.3, keep_together=False))
    together = sides(scan_dataset(root, val_split=0.3))
    pairs = [(f"red_{i:03d}.jpg", f"red_{i:03d}_copy.jpg") for i in range(6)]
    assert any(apart[a] != apart[b] for a, b in pairs)  # the leak the option prevents
    assert all(together[a] == together[b] for a, b in pairs)
    # Pictures outside the groups stay where the plain split put them.
    assert all(together[n] == apart[n] for n in apart if "red_00" not in n)

    # The near-duplicates the doctor saved are kept together too, while their files are
    # unchanged.
    a, b = root / "blue" / "blue_000.jpg", root / "blue" / "blue_001.jpg"
    paths = [str(p) for p in sorted((root / "blue").iterdir())]
    assert duplicate_groups(str(root), paths) == []
    save_near_duplicates(str(root), [[str(a), str(b)]])
    assert duplicate_groups(str(root), paths) == [[paths.index(str(a)), paths.index(str(b))]]
    a.write_bytes(a.read_bytes() + b"changed")
    assert duplicate_groups(str(root), paths) == []


def test_stratified_split_without_groups_is_the_plain_split() -> None:
    labels = [0] * 7 + [1] * 5
    train, val = stratified_split(labels, 0.4, seed=3)
    assert stratified_split(labels, 0.4, seed=3, groups=()) == (train, val)
    group = [val[0], train[0], train[1]]  # most members drawn for train: all go there
    g_train, g_val = stratified_split(labels, 0.4, seed=3, groups=[group])
    assert set(group) <= set(g_train) and set(g_val) == set(val) - set(group)
    # All pictures copies of one another: no leak-free split has a val side; the plain one is kept.
    assert stratified_split(labels, 0.4, seed=3, groups=[list(range(12))]) == (train, val)
