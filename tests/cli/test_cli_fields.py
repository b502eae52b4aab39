"""The CLI's training options are the config's field metadata (tlgui.engine.config.FIELDS):
same names, choices, defaults, help and ranges, and the same values allowed as
``TrainConfig.validate`` allows."""

from __future__ import annotations

import argparse
from dataclasses import fields, replace

import pytest

from tlgui.cli import build_parser, config_from_args
from tlgui.engine.config import DEVICES, FIELDS, TrainConfig

CLI_FIELDS = [spec for spec in FIELDS.values() if spec.cli]
RANGED = [spec for spec in CLI_FIELDS if spec.minimum is not None or spec.maximum is not None]


def _subparser(command: str) -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]


def _option(command: str, flag: str) -> argparse.Action:
    return _subparser(command)._option_string_actions[flag]


def test_every_config_field_is_described_once() -> None:
    assert list(FIELDS) == [f.name for f in fields(TrainConfig)]
    assert all(spec.name == name for name, spec in FIELDS.items())
    assert all(spec.label and spec.help.endswith(".") for spec in FIELDS.values())
    assert FIELDS["device"].choices == DEVICES


@pytest.mark.parametrize("command", ["train", "lr-find"])
@pytest.mark.parametrize("spec", CLI_FIELDS, ids=lambda s: s.name)
def test_each_cli_field_is_an_option_with_the_fields_metadata(command: str, spec) -> None:
    action = _option(command, spec.cli)
    assert action.dest == spec.name
    assert action.default == spec.default
    assert action.help.startswith(spec.help.rstrip("."))
    assert action.choices == (list(spec.choices) if spec.choices else None)
    if spec.kind is bool:
        assert action.nargs == 0  # a switch: turns it on, or off when on by default
        assert spec.default is False or spec.cli.startswith("--no-")
    elif spec.kind in (int, float) and not spec.choices:
        assert action.type(str(spec.default)) == spec.default


@pytest.mark.parametrize("spec", RANGED, ids=lambda s: s.name)
def test_the_cli_and_validate_allow_the_same_range(spec, capsys) -> None:
    def parses(value: float) -> bool:
        try:
            build_parser().parse_args(["train", "data", spec.cli, str(value)])
        except SystemExit as exc:
            assert exc.code == 2
            assert len(capsys.readouterr().err.strip().splitlines()) == 1
            return False
        return True

    def validates(value: float) -> bool:
        try:
            replace(TrainConfig(), **{spec.name: value}).validate()
        except ValueError:
            return False
        return True

    step = 1 if spec.kind is int else 1e-9
    edges = [e for e in (spec.minimum, spec.maximum) if e is not None]
    for edge in edges:
        for value in (spec.kind(edge), spec.kind(edge - step), spec.kind(edge + step)):
            assert parses(value) == validates(value), (spec.name, value)
    if spec.minimum is not None:
        assert not parses(spec.kind(spec.minimum - step))
    if spec.maximum is not None:
        assert not parses(spec.kind(spec.maximum + step))


def test_validate_names_the_field_of_a_value_it_refuses() -> None:
    for name, value, words in [
        ("optimizer", "rmsprop", "optimizer must be one of"),
        ("device", "tpu", "device must be one of auto, cpu"),
        ("epochs", 0, "epochs must be at least 1"),
        ("epochs", 2.5, "epochs must be an integer"),
        ("lr_head", float("nan"), "lr head must be a finite number"),
        ("label_smoothing", 0.95, "label smoothing must be at most"),
        ("class_weighted", "yes", "class weighted must be true or"),
    ]:
        with pytest.raises(ValueError, match=words):
            replace(TrainConfig(), **{name: value}).validate()


def test_the_default_options_describe_the_default_config() -> None:
    args = build_parser().parse_args(["train", "data"])
    assert config_from_args(args) == TrainConfig()
    args = build_parser().parse_args(["lr-find", "data", "--no-cache", "--epochs", "3"])
    assert config_from_args(args) == replace(TrainConfig(), cache_features=False, epochs=3)


@pytest.mark.parametrize("command", ["train", "predict", "evaluate"])
def test_device_choices_are_the_declared_devices(command: str) -> None:
    assert _option(command, "--device").choices == list(DEVICES)
