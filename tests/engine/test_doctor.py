"""The dataset doctor on a generated set with planted problems: label flips rank first, resized
and re-encoded copies are found across splits, bad files are reported, features are shared
with training through the on-disk store, and exclusions reach training."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.doctor_data import make_crops_dataset, plant_copies, plant_flip, plant_identical
from tlgui.engine.augment import preset
from tlgui.engine.data import scan_dataset
from tlgui.engine.data.exclude import exclusion_entry
from tlgui.engine.doctor import check_dataset
from tlgui.engine.doctor.similarity import NEAR_DUPLICATE_THRESHOLD
from tlgui.engine.events import Callback
from tlgui.engine.trainer import TrainConfig, Trainer

FAST = dict(
    backbone="efficientnet_lite0",
    weights="imagenet",
    inference_backend="torch",  # no ONNX export: the tests check findings, not the backend
    workers=0,
    batch_size=16,
)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    tmp = tmp_path_factory.mktemp("doctor")
    root = make_crops_dataset(tmp / "data", n_train=10, n_val=3)
    flips = {
        plant_flip(root, "train", "red", 1, "blue"): "red",
        plant_flip(root, "train", "red", 4, "blue"): "red",
        plant_flip(root, "train", "blue", 2, "green"): "blue",
    }
    original = root / "train" / "green" / "green_003.jpg"
    copies = plant_copies(root, original, "green")
    twin = root / "train" / "red" / "red_005.jpg"
    identical = plant_identical(root, twin, "red")
    jpeg = (root / "train" / "red" / "red_006.jpg").read_bytes()
    broken = root / "train" / "red" / "broken.jpg"
    broken.write_bytes(jpeg[: len(jpeg) // 3])  # a valid header, truncated data
    notes = root / "train" / "blue" / "notes.jpg"
    notes.write_text("not a picture")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TLGUI_FEATURE_STORE", "on")
        mp.setenv("TLGUI_CACHE_DIR", str(tmp / "cache"))
        report = check_dataset(root, TrainConfig(**FAST))
        again = check_dataset(root, TrainConfig(**FAST))
    return SimpleNamespace(
        root=root,
        cache=tmp / "cache",
        report=report,
        again=again,
        flips={str(k): v for k, v in flips.items()},
        group={str(original), *map(str, copies)},
        identical={str(twin), str(identical)},
        broken=str(broken),
        notes=str(notes),
    )


def test_planted_label_flips_rank_first(planted: SimpleNamespace) -> None:
    top = planted.report.label_issues[: len(planted.flips)]
    assert {i.path for i in top} == set(planted.flips)
    for issue in top:
        assert issue.suggested == planted.flips[issue.path] != issue.given
        assert 0.5 < issue.score <= 1.0
    scores = [i.score for i in planted.report.label_issues]
    assert scores == sorted(scores, reverse=True)


def test_resized_and_reencoded_copies_are_found_across_splits(planted: SimpleNamespace) -> None:
    groups = {frozenset(g.paths): g for g in planted.report.near_duplicates}
    copies = groups[frozenset(planted.group)]
    assert copies.cross_split and not copies.exact
    assert NEAR_DUPLICATE_THRESHOLD <= copies.similarity < 1.0
    assert sorted(copies.splits) == ["train", "val", "val"]
    twins = groups[frozenset(planted.identical)]
    assert twins.exact and twins.cross_split and twins.similarity == 1.0
    # Leaks first; no distinct picture is chained into a group.
    assert all(g.cross_split for g in planted.report.near_duplicates[:2])
    assert max(len(g.paths) for g in planted.report.near_duplicates) == 3


def test_bad_files_are_skipped_and_reported(planted: SimpleNamespace) -> None:
    report = planted.report
    reasons = dict(report.skipped)
    assert "not an image" in reasons[planted.notes]  # refused by the scan
    assert "truncated" in reasons[planted.broken]  # refused while embedding
    assert report.images == 3 * 13 + 3  # every readable picture, copies included
    data = json.loads(json.dumps(report.to_json()))
    assert {"path": planted.broken, "reason": reasons[planted.broken]} in data["skipped"]
    for key in ("label_issues", "near_duplicates", "outliers", "classes", "seconds"):
        assert key in data
    assert set(data["near_duplicates"][0]) >= {"paths", "similarity", "splits", "cross_split"}
    assert data["classes"]["counts"]["blue"]["train"] == 10 + 2 - 1


def test_a_second_check_reads_the_feature_store(planted: SimpleNamespace) -> None:
    first, again = planted.report, planted.again
    assert first.computed == first.images and first.from_store == 0
    assert again.computed == 0 and again.from_store == again.images
    assert [i.path for i in again.label_issues] == [i.path for i in first.label_issues]


class Starts(Callback):
    def __init__(self) -> None:
        self.starts: list = []

    def on_fit_start(self, event) -> None:  # type: ignore[no-untyped-def]
        self.starts.append(event)


def test_exclusions_reach_training_which_reads_the_doctors_features(
    planted: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TLGUI_FEATURE_STORE", "on")
    monkeypatch.setenv("TLGUI_CACHE_DIR", str(planted.cache))
    root = str(planted.root)
    scan = scan_dataset(root)
    left_out = [scan.splits["train"][0].path, scan.splits["val"][0].path]
    config = TrainConfig(
        epochs=1,
        augment=preset("none").to_dict(),
        exclude=[exclusion_entry(root, p) for p in left_out],
        **FAST,
    )
    starts = Starts()
    trainer = Trainer(scan, config, [starts])
    result = trainer.fit()
    (start,) = starts.starts
    assert start.n_train == len(scan.splits["train"]) - 1
    assert start.n_val == len(scan.splits["val"]) - 1
    trained = {s.path for s in trainer.loop.scan.splits["train"]}
    assert left_out[0] not in trained
    assert left_out[1] not in {s["path"] for s in result.reports["val"].samples}
    # Every readable picture's features came from the doctor's store (the truncated file is
    # tried again and skipped).
    readable = start.n_train + start.n_val - 1
    assert trainer.loop.features.from_store == readable


def test_blockwise_similarity_matches_the_full_matrix() -> None:
    from tlgui.engine.doctor.similarity import similarity_pass, unit_rows

    rng = np.random.default_rng(0)
    x = rng.normal(size=(57, 16)).astype(np.float32)
    x[40] = x[3] + 0.01  # a near-duplicate pair
    unit = unit_rows(x)
    whole = similarity_pass(unit, threshold=0.9, block_elements=10**9)
    blocks = similarity_pass(unit, threshold=0.9, block_elements=57 * 5)  # five rows a block
    assert [(i, j) for i, j, _s in blocks.pairs] == [(3, 40)] == [(i, j) for i, j, _ in whole.pairs]
    np.testing.assert_allclose(blocks.outlier_scores, whole.outlier_scores, rtol=1e-5)
    full = unit @ unit.T
    np.fill_diagonal(full, -np.inf)
    nearest = np.sort(full, axis=1)[:, -10:]
    np.testing.assert_allclose(whole.outlier_scores, 1 - nearest.mean(axis=1), rtol=1e-5)


def test_moving_a_picture_to_another_class_and_back(tmp_path: Path) -> None:
    from tlgui.engine.doctor.actions import MoveError, move_back, move_to_class

    root = make_crops_dataset(tmp_path / "data", n_train=2, n_val=1, classes=("red", "blue"))
    original = root / "train" / "red" / "red_000.jpg"
    (root / "train" / "blue" / "red_000.jpg").write_bytes(b"another file of that name")
    moved = move_to_class(str(root), str(original), "blue")
    assert moved == str(root / "train" / "blue" / "red_000-1.jpg") and not original.exists()
    assert (root / "train" / "blue" / "red_000.jpg").read_bytes() == b"another file of that name"
    with pytest.raises(MoveError, match="already in blue"):
        move_to_class(str(root), moved, "blue")
    move_back(moved, str(original))
    assert original.is_file() and not Path(moved).exists()
    elsewhere = tmp_path / "elsewhere.jpg"
    elsewhere.write_bytes(b"x")
    with pytest.raises(MoveError, match="not inside the dataset"):
        move_to_class(str(root), str(elsewhere), "blue")
