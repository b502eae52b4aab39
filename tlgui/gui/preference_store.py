"""The values of the Preferences (File ▸ Preferences…): settings that belong to the machine,
not to one run, read anywhere with their module-level readers (re-exported by
:mod:`tlgui.gui.preferences`, which holds the dialog).

Each preference is a :class:`Preference` in :data:`PREFERENCES`: its settings key, default and
check. A stored value that is no longer allowed reads as the default. Where each applies:

- ``language`` — at the next start (:func:`tlgui.gui.i18n.install_translators`; the dialog
  says so): a running window would have to re-set every text it shows;
- ``inference_backend``, ``loader_workers``, ``decoded_cache_mb`` — every training run, LR
  finder and prediction started afterwards (``TrainPage.config_dict``, ``predict_jobs``): they
  change speed and memory, never what a run learns beyond float rounding, so the Train form
  does not show them;
- ``default_device`` — the Train form's Device at each start, and at once when it is changed
  (the form's choice still wins for the runs of a session);
- ``runs_location`` — where new run folders go and where Resume Run… and the Runs view look
  (``$TLGUI_RUNS_DIR`` wins when set); runs made before a change stay where they are;
- ``run_retention`` — how many finished runs are kept (older ones are deleted);
- ``unsure_threshold`` — predictions whose calibrated top probability is below it are marked
  "not sure" (``predict_jobs``), from the next prediction on.

When the dialog stores new values, :func:`changes` emits ``changed(names)`` with the
preferences whose value changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from ..engine.calibration import DEFAULT_UNSURE_BELOW
from ..engine.config import FIELDS
from ..engine.runs import runs_root
from .i18n import SYSTEM, available_languages
from .settings import make_settings

RUNS_ENV = "TLGUI_RUNS_DIR"
MAX_RETENTION = 100_000


def _field_value(name: str) -> Callable[[Any], Any]:
    """The check of a preference that is a ``TrainConfig`` field: the field's own (FIELDS)."""
    spec = FIELDS[name]

    def check(raw: Any) -> Any:
        value = spec.kind(raw)  # INI files keep strings
        if spec.problem(value) is not None:
            raise ValueError(spec.problem(value))
        return value

    return check


def _language(raw: Any) -> str:
    if raw not in (SYSTEM, *available_languages()):
        raise ValueError(f"no translation for {raw}")
    return str(raw)


def _probability(raw: Any) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"probability {value} out of range")
    return value


def _retention(raw: Any) -> int:
    value = int(raw)
    if not 0 <= value <= MAX_RETENTION:
        raise ValueError(f"retention {value} out of range")
    return value


@dataclass(frozen=True)
class Preference:
    """One stored preference: ``check`` turns a stored value into the value, or raises
    ``ValueError``/``TypeError`` when it is not allowed (then the default is read)."""

    key: str
    default: Any
    check: Callable[[Any], Any]


PREFERENCES: dict[str, Preference] = {
    "language": Preference("preferences/language", SYSTEM, _language),
    "inference_backend": Preference(
        "preferences/inference_backend",
        FIELDS["inference_backend"].default,
        _field_value("inference_backend"),
    ),
    "default_device": Preference(
        "preferences/default_device", FIELDS["device"].default, _field_value("device")
    ),
    "loader_workers": Preference(
        "preferences/loader_workers", FIELDS["workers"].default, _field_value("workers")
    ),
    "decoded_cache_mb": Preference(
        "preferences/decoded_cache_mb",
        FIELDS["decoded_cache_mb"].default,
        _field_value("decoded_cache_mb"),
    ),
    "runs_location": Preference("preferences/runs_location", "", str),
    "run_retention": Preference("preferences/run_retention", 0, _retention),
    "unsure_threshold": Preference(
        "preferences/unsure_threshold", DEFAULT_UNSURE_BELOW, _probability
    ),
}
INFERENCE_BACKEND_KEY = PREFERENCES["inference_backend"].key
RUN_RETENTION_KEY = PREFERENCES["run_retention"].key


def read(name: str, settings: QSettings | None = None) -> Any:
    """The value of the preference ``name``: the stored one, or its default when none (or
    one no longer allowed) is stored."""
    pref = PREFERENCES[name]
    raw = (settings or make_settings()).value(pref.key)
    if raw is None:
        return pref.default
    try:
        return pref.check(raw)
    except (TypeError, ValueError):
        return pref.default


def language(settings: QSettings | None = None) -> str:
    """The chosen UI language: a code (``ja``) or ``system`` (follow the system locale)."""
    return read("language", settings)


def inference_backend(settings: QSettings | None = None) -> str:
    """What runs a frozen backbone on the CPU: ``auto``, ``torch`` or ``onnxruntime``."""
    return read("inference_backend", settings)


def default_device(settings: QSettings | None = None) -> str:
    """The device the Train form starts with: ``auto``, ``cpu``, ``cuda`` or ``mps``."""
    return read("default_device", settings)


def loader_workers(settings: QSettings | None = None) -> int:
    """DataLoader worker processes of a run; -1 picks per device."""
    return read("loader_workers", settings)


def decoded_cache_mb(settings: QSettings | None = None) -> int:
    """Megabytes of decoded training pictures a run keeps in memory between epochs."""
    return read("decoded_cache_mb", settings)


def runs_location(settings: QSettings | None = None) -> Path:
    """Where run folders go and are listed: ``$TLGUI_RUNS_DIR`` when set, else the chosen
    folder, else the engine's default (:func:`tlgui.engine.runs.runs_root`)."""
    chosen = read("runs_location", settings)
    if os.environ.get(RUNS_ENV) or not chosen:
        return runs_root()
    return Path(chosen).expanduser()


def run_retention(settings: QSettings | None = None) -> int:
    """How many finished runs to keep (the newest; older ones are deleted); 0 keeps all."""
    return read("run_retention", settings)


def unsure_threshold(settings: QSettings | None = None) -> float:
    """The calibrated top-class probability below which a prediction is marked "not sure"."""
    return read("unsure_threshold", settings)


class _Changes(QObject):
    changed = Signal(list)  # names of the preferences whose value changed


_changes: list[_Changes] = []


def changes() -> _Changes:
    """The app's one notifier: ``changed(names)`` after the dialog stored new values."""
    if not _changes:
        _changes.append(_Changes())
    return _changes[0]


__all__ = [
    "INFERENCE_BACKEND_KEY",
    "MAX_RETENTION",
    "PREFERENCES",
    "RUNS_ENV",
    "RUN_RETENTION_KEY",
    "Preference",
    "changes",
    "decoded_cache_mb",
    "default_device",
    "inference_backend",
    "language",
    "loader_workers",
    "read",
    "run_retention",
    "runs_location",
    "unsure_threshold",
]
