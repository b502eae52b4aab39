"""Groups of duplicate pictures, for splits that keep each group on one side (torch-free).

A validation split with a copy of a training picture in it measures memory, not
generalisation. When tlgui splits a folder of class folders itself, and
``TrainConfig.keep_duplicates_together`` is on (the default), :func:`duplicate_groups` gives
the groups the split must not cut:

- **identical files**, found by content hash. Cheap when there are none: files are bucketed by
  size (the scan has just read their headers, so ``stat`` is warm) and only files that share a
  size with another are hashed.
- **near-duplicates** (re-encoded, resized, lightly edited copies) the dataset doctor found in
  this folder and saved with :func:`save_near_duplicates`. Finding them needs an embedding of
  every picture, a full backbone pass; a split never runs one, it uses the doctor's last result
  for files that have not changed since (same size and modification time).

Saved groups live in ``<cache>/duplicates/<hash of the folder>.json``
(:mod:`tlgui.engine.cache_dir`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from ..cache_dir import cache_root
from ..fileio import atomic_write

_FORMAT, _FORMAT_VERSION = "tlgui-duplicate-groups", 1
_CHUNK = 1 << 20


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def content_hash(path: str) -> str | None:
    """BLAKE2b of the file's bytes, or None when it cannot be read."""
    h = hashlib.blake2b(digest_size=20)
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def exact_duplicate_groups(paths: Sequence[str]) -> list[list[int]]:
    """Indices of byte-identical files in ``paths``, in groups of two or more (each group
    sorted, groups in order of their first member)."""
    by_size: dict[int, list[int]] = {}
    for i, path in enumerate(paths):
        st = _stat(path)
        if st is not None:
            by_size.setdefault(st.st_size, []).append(i)
    groups: list[list[int]] = []
    for members in by_size.values():
        if len(members) < 2:
            continue
        by_hash: dict[str, list[int]] = {}
        for i in members:
            digest = content_hash(paths[i])
            if digest is not None:
                by_hash.setdefault(digest, []).append(i)
        groups.extend(g for g in by_hash.values() if len(g) > 1)
    return sorted(groups, key=lambda g: g[0])


def merge_groups(n: int, groups: Sequence[Sequence[int]]) -> list[list[int]]:
    """The connected components (two or more members) of ``groups`` over ``n`` items:
    overlapping groups become one."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in groups:
        for other in group[1:]:
            a, b = find(group[0]), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    return sorted((g for g in members.values() if len(g) > 1), key=lambda g: g[0])


def _groups_file(root: str) -> Path:
    digest = hashlib.blake2b(os.path.abspath(root).encode(), digest_size=12).hexdigest()
    return cache_root() / "duplicates" / f"{digest}.json"


def _entry(root: str, path: str) -> list | None:
    st = _stat(path)
    if st is None:
        return None
    return [
        os.path.relpath(os.path.abspath(path), os.path.abspath(root)),
        st.st_size,
        st.st_mtime_ns,
    ]


def save_near_duplicates(root: str, groups: Sequence[Sequence[str]]) -> bool:
    """Remember ``groups`` (file paths) as the near-duplicate groups of the dataset in
    ``root``, replacing what was saved before; False when the cache cannot be written."""
    saved = []
    for group in groups:
        entries = [e for e in (_entry(root, p) for p in group) if e is not None]
        if len(entries) > 1:
            saved.append(entries)
    data = {"format": _FORMAT, "format_version": _FORMAT_VERSION, "groups": saved}
    text = json.dumps(data)
    try:
        atomic_write(_groups_file(root), lambda f: f.write(text.encode("utf-8", "surrogateescape")))
    except OSError:
        return False
    return True


def saved_near_duplicates(root: str, paths: Sequence[str]) -> list[list[int]]:
    """The saved near-duplicate groups of ``root`` as indices into ``paths``, keeping only
    members that are in ``paths`` and unchanged since they were saved."""
    data: dict = {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(_groups_file(root).read_bytes().decode("utf-8", "surrogateescape"))
    if data.get("format") != _FORMAT or data.get("format_version") != _FORMAT_VERSION:
        return []
    index = {
        os.path.relpath(os.path.abspath(p), os.path.abspath(root)): i for i, p in enumerate(paths)
    }
    groups: list[list[int]] = []
    for group in data.get("groups", []):
        members = []
        for entry in group:
            if not (isinstance(entry, list) and len(entry) == 3):
                continue
            i = index.get(str(entry[0]))
            if i is not None and _entry(root, paths[i]) == entry:
                members.append(i)
        if len(members) > 1:
            groups.append(members)
    return groups


def duplicate_groups(root: str, paths: Sequence[str]) -> list[list[int]]:
    """The groups a split of ``paths`` (in the dataset folder ``root``) keeps whole: identical
    files and the doctor's saved near-duplicates, merged where they overlap."""
    found = exact_duplicate_groups(paths) + saved_near_duplicates(root, paths)
    return merge_groups(len(paths), found) if found else []


__all__ = [
    "content_hash",
    "duplicate_groups",
    "exact_duplicate_groups",
    "merge_groups",
    "save_near_duplicates",
    "saved_near_duplicates",
]
