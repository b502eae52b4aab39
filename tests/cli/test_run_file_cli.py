"""``tlgui train --config RUN.json``: typed options beat the file, the file beats defaults;
unusable files and usage are exit 2 with one line (no training happens here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tlgui.cli import main
from tlgui.cli.options import build_parser
from tlgui.cli.run_file import given_options, run_file_config
from tlgui.engine.augment import preset

RUN = {
    "format": "tlgui-run-config",
    "format_version": 1,
    "config": {"epochs": 5, "lr_head": 0.01, "dropout": 0.0, "batch_size": 8,
               "augment": preset("light").to_dict()},
    "data": "data",
    "val_split": 0.3,
    "out": "m.pt",
}


def parse(*words: str):
    args = build_parser().parse_args(list(words))
    args.argv = list(words)
    return args


def test_typed_options_win_even_at_their_default(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps(RUN))
    args = parse("train", "--config", str(tmp_path / "run.json"), "--epochs", "10",
                 "--augment", "default")
    assert given_options(args) == {"config", "epochs", "augment"}
    cfg = run_file_config(args)
    assert cfg.epochs == 10  # typed, although 10 is the default
    assert cfg.lr_head == 0.01 and cfg.batch_size == 8  # not typed: the file's
    assert cfg.dropout == 0.0  # a setting without an option: the file's
    assert cfg.augment == preset("default").to_dict()
    assert args.data == str(tmp_path / "data") and args.out == str(tmp_path / "m.pt")
    assert args.val_split == 0.3

    args = parse("train", "other", "--config", str(tmp_path / "run.json"), "--out", "x.pt",
                 "--val-split", "0.2", "--no-cache")
    cfg = run_file_config(args)
    assert (args.data, args.out, args.val_split) == ("other", "x.pt", 0.2)
    assert cfg.cache_features is False and cfg.epochs == 5


@pytest.mark.parametrize(
    ("content", "extra", "expected"),
    [
        (None, [], "run file not found"),
        ("{oops", [], "is not valid JSON"),
        (json.dumps({**RUN, "epochz": 3}), [], "unknown key(s) in the run file: epochz"),
        (json.dumps(RUN), ["--resume", "somewhere"], "leave out --config"),
        (json.dumps({**RUN, "data": None}), [], "DATA is required"),
    ],
)
def test_bad_run_files_exit_2_with_one_line(tmp_path: Path, capsys, content, extra,
                                            expected) -> None:
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    assert main(["train", "--config", str(path), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tlgui train: error: ") and err.count("\n") == 1
    assert expected in err
