"""`auto` mode on one set of comments: what the configured hold threshold publishes there, how
many abusive comments slip through among the published, and what threshold that set would
have needed to keep the slip at the target (numpy only, so the eval needs no scikit-learn).

Published means "scored below the hold threshold", as the pipeline decides it. The needed
threshold is searched on the same 0.01 grid the trainer's slip table uses: the highest one
whose published comments hold at most the target share of abusive ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

GRID = np.round(np.arange(0.01, 1.0, 0.01), 2)


def _published(scores: np.ndarray, labels: np.ndarray, w: np.ndarray, t: float) -> tuple:
    pub = scores < t
    wp = float(w[pub].sum())
    share = wp / float(w.sum()) if w.sum() else 0.0
    slip = float((w[pub] * labels[pub]).sum() / wp) if wp else 0.0
    return share, slip


def slip_at(
    scores, labels, hold: float, target: float, weights=None
) -> dict[str, Any]:
    """Published share and abusive-among-published at HOLD, and the highest grid threshold
    (with its published share) that keeps abusive-among-published at or under TARGET.

    WEIGHTS (default 1 per row) let a positives-only set paired with other negatives stand
    at another base rate; every share is weighted."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    w = np.ones(len(s)) if weights is None else np.asarray(weights, dtype=np.float64)
    share, slip = _published(s, y, w, hold)
    needed: float | None = None
    needed_share = 0.0
    for t in GRID[::-1]:
        t_share, t_slip = _published(s, y, w, float(t))
        if t_slip <= target:
            needed, needed_share = float(t), t_share
            break
    return {
        "rows": int(len(s)),
        "abusive": int(y.sum()),
        "base_rate": float((w * y).sum() / w.sum()) if w.sum() else 0.0,
        "hold": float(hold),
        "target": float(target),
        "published_share": share,
        "slip_rate": slip,
        "meets_target": slip <= target,
        # None: no grid threshold publishes anything at or under the target.
        "needed_hold": needed,
        "published_share_at_needed": needed_share,
    }
