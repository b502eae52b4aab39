"""Likely label errors: confident learning on out-of-fold predictions.

Every labelled picture gets class probabilities from a model that never saw it: K-fold
logistic regression (scikit-learn) on the centred, unit-length embeddings
(:func:`~.similarity.unit_rows`), K = :data:`FOLDS` or the smallest class's size. cleanlab's
``find_label_issues`` (confident learning, Northcutt et al. 2021) then picks the pictures whose
given label the predictions contradict beyond the per-class thresholds it estimates, ranked by
self-confidence (the out-of-fold probability of the given label, lowest first). A picture's
``score`` is one minus that probability.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .similarity import unit_rows

FOLDS = 5
C = 10.0
"""Inverse L2 strength of the logistic regression on unit-length features. Measured with 5%
planted flips in five draws (README "Check your data"): on hymenoptera, C from 1 to 100 and
standardised features with C from 0.1 to 1 find the same number of flips within three of 60;
on small generated sets standardised features find none, unit-length ones most."""


@dataclass(frozen=True)
class RankedIssue:
    index: int  # row of the embeddings
    given: int
    suggested: int
    score: float


def out_of_fold_probabilities(
    features: np.ndarray, labels: np.ndarray, n_classes: int, seed: int
) -> np.ndarray | None:
    """(N, n_classes) out-of-fold class probabilities, or None when fewer than two classes
    have two or more pictures. Pictures of a class with a single picture get that row of
    probabilities too (from the folds' models), though no fold could hold it out and learn
    its class elsewhere."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    counts = np.bincount(labels, minlength=n_classes)
    usable = counts[counts >= 2]
    if len(usable) < 2:
        return None
    folds = int(min(FOLDS, usable.min()))
    model = LogisticRegression(C=C, max_iter=1000)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed % (2**32))
    with warnings.catch_warnings():  # a class smaller than K: sklearn's note, handled here
        warnings.simplefilter("ignore")
        probs = cross_val_predict(model, unit_rows(features), labels, cv=cv, method="predict_proba")
    present = np.unique(labels)
    full = np.zeros((len(labels), n_classes), dtype=np.float64)
    full[:, present] = probs
    return full


def find_label_issues(
    features: np.ndarray, labels: np.ndarray, n_classes: int, seed: int = 0
) -> list[RankedIssue]:
    """The likely label errors among the embedded pictures, the most likely first (see the
    module docstring)."""
    from cleanlab.filter import find_label_issues as cleanlab_issues

    probs = out_of_fold_probabilities(features, labels, n_classes, seed)
    if probs is None:
        return []
    present = np.unique(labels)
    column = {int(c): k for k, c in enumerate(present)}
    compact = np.array([column[int(y)] for y in labels])
    sub = probs[:, present]
    sub = sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-12, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ranked = cleanlab_issues(compact, sub, return_indices_ranked_by="self_confidence", n_jobs=1)
    issues = []
    for i in ranked:
        given = int(labels[i])
        issues.append(
            RankedIssue(
                int(i), given, int(present[int(np.argmax(sub[i]))]), 1.0 - float(sub[i, compact[i]])
            )
        )
    return issues


__all__ = ["FOLDS", "C", "RankedIssue", "find_label_issues", "out_of_fold_probabilities"]
