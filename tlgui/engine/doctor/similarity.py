"""Near-duplicates and outliers from one blockwise pass over the cosine similarities.

The embeddings are centred on their mean and scaled to unit length, so a dot product is the
cosine similarity around the dataset's average picture. (The backbones' pooled features are
post-activation and all positive; uncentred, any two photos are similar, and copies stand out
less.) The N x N similarity matrix is never held: :func:`similarity_pass` takes it a block of
rows at a time, at most :data:`BLOCK_ELEMENTS` similarities per block (64 MB in float32 at
any N), and from each block keeps

- the pairs at or above the near-duplicate threshold (:data:`NEAR_DUPLICATE_THRESHOLD`);
- each row's :data:`NEIGHBOURS` highest similarities to other pictures, whose mean distance
  (one minus the similarity) is its outlier score: a picture far from the pictures of every
  class is far from its nearest neighbours, whatever their class. Outliers are the pictures
  whose score lies above Q3 + :data:`OUTLIER_IQR` x IQR of all scores (Tukey's fence; cleanlab's
  Datalab flags feature-space outliers with the same rule and this width).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAR_DUPLICATE_THRESHOLD = 0.80
"""Centred cosine similarity from which two pictures count as near-duplicates. Measured on
hymenoptera with efficientnet_lite0 (``benchmarks/bench_doctor.py``, section ``threshold``):
copies resized to 50-80% and re-encoded score 0.81 and more, copies re-encoded at quality
40-60 0.83 and more, copies cropped by 3% and resized 0.69 and more (15 of 20 above 0.80);
two distinct photos score at most 0.72 (README "Check your data")."""

NEIGHBOURS = 10
OUTLIER_IQR = 1.7
BLOCK_ELEMENTS = 1 << 24


@dataclass(frozen=True)
class SimilarityResult:
    pairs: list[tuple[int, int, float]]  # (i, j, similarity) with i < j, at/above threshold
    outlier_scores: np.ndarray  # mean distance to the nearest neighbours, per picture
    outlier_limit: float  # scores above it are outliers


def unit_rows(features: np.ndarray) -> np.ndarray:
    """Centred, unit-length rows (float32); a row that is all zero stays zero."""
    x = features.astype(np.float32, copy=True)
    x -= x.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


def similarity_pass(
    unit: np.ndarray,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
    neighbours: int = NEIGHBOURS,
    block_elements: int = BLOCK_ELEMENTS,
) -> SimilarityResult:
    """See the module docstring. ``unit``: rows from :func:`unit_rows`."""
    n = len(unit)
    k = min(neighbours, n - 1)
    scores = np.zeros(n, dtype=np.float64)
    pairs: list[tuple[int, int, float]] = []
    rows = max(1, block_elements // max(1, n))
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        sims = unit[start:stop] @ unit.T  # (rows, n): the only block held
        local = np.arange(stop - start)
        sims[local, start + local] = -np.inf  # a picture is not its own neighbour
        hit_r, hit_c = np.nonzero(sims >= threshold)
        for r, c in zip(hit_r.tolist(), hit_c.tolist(), strict=True):
            if c > start + r:
                pairs.append((start + r, c, float(sims[r, c])))
        if k > 0:
            nearest = -np.partition(-sims, k - 1, axis=1)[:, :k]
            scores[start:stop] = 1.0 - nearest.mean(axis=1)
    limit = np.inf
    if n >= 4:
        q1, q3 = np.percentile(scores, [25, 75])
        limit = float(q3 + OUTLIER_IQR * (q3 - q1))
    return SimilarityResult(pairs, scores, limit)


__all__ = [
    "BLOCK_ELEMENTS",
    "NEAR_DUPLICATE_THRESHOLD",
    "NEIGHBOURS",
    "OUTLIER_IQR",
    "SimilarityResult",
    "similarity_pass",
    "unit_rows",
]
