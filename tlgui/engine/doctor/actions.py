"""What the user may do about a finding on disk: move a picture to another class folder, and
move it back. Nothing here deletes or overwrites a file.

A picture ``<root>/[<split>/]<class>/<sub folders>/<name>`` moves to
``<root>/[<split>/]<other class>/<sub folders>/<name>``: the same split, the same place inside
the class folder. When that name is taken, ``-1``, ``-2``, ... is added before the extension.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..data import TEST_NAMES, TRAIN_NAMES, VAL_NAMES


class MoveError(OSError):
    """A picture cannot be moved; the message is one line."""


def _class_root(root: Path, path: Path) -> tuple[Path, str, Path]:
    """(the folder holding the class folders, the picture's class, its place inside it)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise MoveError(f"{path} is not inside the dataset folder {root}") from None
    split_names = {*TRAIN_NAMES, *VAL_NAMES, *TEST_NAMES}
    if len(parts) >= 3 and parts[0].lower() in split_names and (root / parts[0]).is_dir():
        return root / parts[0], parts[1], Path(*parts[2:])
    if len(parts) >= 2:
        return root, parts[0], Path(*parts[1:])
    raise MoveError(f"{path} is not inside a class folder")


def _free_name(target: Path) -> Path:
    candidate, n = target, 0
    while os.path.lexists(candidate):
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate


def move_to_class(root: str, path: str, new_class: str) -> str:
    """Move ``path`` into the class folder ``new_class`` of the dataset in ``root`` (see the
    module docstring); returns the new path. :class:`MoveError` when it cannot be moved."""
    root_p, path_p = Path(root).absolute(), Path(path).absolute()
    if not path_p.is_file():
        raise MoveError(f"{path} no longer exists")
    base, old_class, inside = _class_root(root_p, path_p)
    if new_class == old_class:
        raise MoveError(f"{path_p.name} is already in {new_class}")
    if not new_class or os.sep in new_class or new_class in (os.curdir, os.pardir):
        raise MoveError(f"not a class folder name: {new_class!r}")
    target = _free_name(base / new_class / inside)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path_p, target)
    except OSError as exc:
        raise MoveError(f"cannot move {path_p.name}: {exc.strerror or exc}") from None
    return str(target)


def move_back(moved: str, original: str) -> None:
    """Undo :func:`move_to_class`: put ``moved`` back at ``original`` (never over a file that
    took its place meanwhile)."""
    if os.path.lexists(original):
        raise MoveError(f"cannot move back: {original} exists again")
    if not os.path.isfile(moved):
        raise MoveError(f"cannot move back: {moved} no longer exists")
    try:
        os.makedirs(os.path.dirname(original), exist_ok=True)
        os.rename(moved, original)
    except OSError as exc:
        raise MoveError(
            f"cannot move back {os.path.basename(moved)}: {exc.strerror or exc}"
        ) from None


__all__ = ["MoveError", "move_back", "move_to_class"]
