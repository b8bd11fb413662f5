"""Evaluation metrics in numpy, so the evaluation command needs no scikit-learn."""

from __future__ import annotations

import numpy as np


def roc_auc(labels, scores) -> float:
    """Area under the ROC curve (Mann-Whitney U with tied scores sharing their mean rank)."""
    y = np.asarray(labels, dtype=np.int64)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = int((y == 1).sum())
    n_neg = int((y == 0).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(s, return_inverse=True, return_counts=True)
    # Rank of each distinct score = mean of the 1-based positions it occupies.
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    ranks = mean_rank[inverse]
    u = ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def precision_recall_f1(labels, predicted) -> dict[str, float]:
    y = np.asarray(labels, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    tp = int((y & p).sum())
    fp = int((~y & p).sum())
    fn = int((y & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "flagged": int(p.sum())}


def auto_mode(labels, published) -> dict[str, float]:
    """Share published without a human, and the share of abusive among those published."""
    y = np.asarray(labels, dtype=bool)
    pub = np.asarray(published, dtype=bool)
    n = len(y)
    share = float(pub.sum() / n) if n else 0.0
    slip = float((y & pub).sum() / pub.sum()) if pub.sum() else 0.0
    return {"published_share": share, "slip_rate": slip, "published": int(pub.sum()), "n": n}
