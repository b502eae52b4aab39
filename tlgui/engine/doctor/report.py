"""What the dataset doctor found: plain data, its JSON (the ``tlgui doctor --json`` contract)
and its text for a terminal."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LabelIssue:
    path: str
    given: str
    suggested: str
    score: float  # 1 - out-of-fold probability of the given label
    split: str


@dataclass(frozen=True)
class DuplicateGroup:
    paths: tuple[str, ...]
    similarity: float  # the lowest similarity that links the group (1.0: identical files)
    splits: tuple[str, ...]  # per path
    exact: bool  # every member is byte-identical to another

    @property
    def cross_split(self) -> bool:
        """Members sit in different splits: a leak between training and evaluation."""
        return len(set(self.splits)) > 1


@dataclass(frozen=True)
class Outlier:
    path: str
    score: float  # mean cosine distance to the nearest pictures
    split: str


@dataclass
class DoctorReport:
    """See :func:`tlgui.engine.doctor.check_dataset`."""

    root: str
    backbone: str
    weights: str
    classes: list[str]
    counts: dict[str, dict[str, int]]  # {class: {split: n}}
    imbalance_ratio: float
    label_issues: list[LabelIssue]
    near_duplicates: list[DuplicateGroup]
    outliers: list[Outlier]
    skipped: list[tuple[str, str]]  # (path, reason)
    images: int
    split_made_by: str  # "folders" (train/ and val/) or "tlgui" (--val-split)
    groups_kept_together: int  # groups the split tlgui makes keeps on one side
    computed: int  # pictures that went through the backbone
    from_store: int  # pictures whose features came from the feature store
    backend: str
    threshold: float
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "data": self.root,
            "backbone": self.backbone,
            "weights": self.weights,
            "images": self.images,
            "classes": {
                "names": list(self.classes),
                "counts": self.counts,
                "imbalance_ratio": round(self.imbalance_ratio, 4),
            },
            "label_issues": [
                {
                    "path": i.path,
                    "given": i.given,
                    "suggested": i.suggested,
                    "score": round(i.score, 4),
                    "split": i.split,
                }
                for i in self.label_issues
            ],
            "near_duplicates": [
                {
                    "paths": list(g.paths),
                    "similarity": round(g.similarity, 4),
                    "splits": list(g.splits),
                    "cross_split": g.cross_split,
                    "exact": g.exact,
                }
                for g in self.near_duplicates
            ],
            "outliers": [
                {"path": o.path, "score": round(o.score, 4), "split": o.split}
                for o in self.outliers
            ],
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "split": {
                "made_by": self.split_made_by,
                "groups_kept_together": self.groups_kept_together,
            },
            "features": {
                "computed": self.computed,
                "from_store": self.from_store,
                "backend": self.backend,
            },
            "near_duplicate_threshold": self.threshold,
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
        }

    def text(self, limit: int = 20) -> str:
        """A summary for a terminal: each kind of finding, at most ``limit`` lines each."""

        def rel(path: str) -> str:
            try:
                return os.path.relpath(path, self.root)
            except ValueError:
                return path

        leaks = sum(g.cross_split for g in self.near_duplicates)
        lines = [
            f"Checked {self.images} images in {len(self.classes)} classes with "
            f"{self.backbone} in {self.seconds:.1f} s ({self.computed} computed, "
            f"{self.from_store} from the feature store).",
            "Classes: "
            + ", ".join(f"{c} {sum(self.counts[c].values())}" for c in self.classes)
            + f" (imbalance {self.imbalance_ratio:.1f}:1)",
            "",
            f"Likely label errors: {len(self.label_issues)}",
        ]
        lines += [
            f"  {i.score:.2f}  {rel(i.path)}  labelled {i.given}, looks like {i.suggested}"
            for i in self.label_issues[:limit]
        ]
        lines += ["", f"Near-duplicate groups: {len(self.near_duplicates)} ({leaks} across splits)"]
        for g in self.near_duplicates[:limit]:
            where = " <- across splits" if g.cross_split else ""
            kind = "identical" if g.exact else f"{g.similarity:.3f}"
            lines.append(f"  {kind}  " + "  ".join(map(rel, g.paths)) + where)
        lines += ["", f"Outliers: {len(self.outliers)}"]
        lines += [f"  {o.score:.3f}  {rel(o.path)}" for o in self.outliers[:limit]]
        if self.skipped:
            lines += ["", f"Skipped {len(self.skipped)} unreadable file(s):"]
            lines += [f"  {rel(p)}: {r}" for p, r in self.skipped]
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)


__all__ = ["DoctorReport", "DuplicateGroup", "LabelIssue", "Outlier"]
