"""Which logistic model turns a comment's evidence into an off-topic probability, and its
coefficients: fitted per embedder by scripts/eval_relevance.py --calibrate and kept in the
embedder's sidecar JSON, with fallbacks for a backend that was never calibrated."""

from __future__ import annotations

import math
from collections.abc import Sequence

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.relevance.evidence import Evidence

# Fallbacks when the sidecar has no calibration for the active backend (e.g. the full
# MiniLM was never calibrated on this install). "article"/"parent": intercept, similarity
# slope[, overlap slope]; "article_background": intercept, slope on (similarity - background
# similarity), slope on (overlap - background overlap).
DEFAULT_CALIBRATION: dict[str, tuple[float, ...]] = {
    "article": (3.0, -12.0),
    "parent": (3.0, -12.0),
    "article_background": (0.0, -9.0, -9.0),
    # ... plus a slope on (discussion similarity - background discussion similarity).
    "article_discussion": (0.0, -9.0, -9.0, -9.0),
    # ... plus slopes on the same gap for the discussion's token overlap (nearest comments)
    # and for the mean similarity to the whole discussion.
    "article_discussion_lexical": (0.0, -3.0, -3.0, -6.0, -6.0, -6.0),
}
# A reply's article model with the parent's similarity and overlap as two more inputs:
# "<article model>_reply". No fallbacks: without a fitted one, a reply gets the more
# favourable of its article and parent probabilities instead.
REPLY_SUFFIX = "_reply"
REPLY_MODELS = tuple(f"{model}{REPLY_SUFFIX}" for model in DEFAULT_CALIBRATION if model != "parent")


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)



def load_calibration(backend_name: str) -> dict[str, tuple[float, ...]]:
    try:
        table = emb.sidecar().get("calibration", {})
    except (OSError, ValueError):
        table = {}
    entry = table.get(backend_name) or {}
    cal = dict(DEFAULT_CALIBRATION)
    for key in (*DEFAULT_CALIBRATION, *REPLY_MODELS):
        if key in entry:
            cal[key] = tuple(float(v) for v in entry[key])
    return cal


def linear(coefs: Sequence[float], *features: float) -> float:
    # Older two-number calibrations have no overlap slope: missing slopes count as zero.
    return coefs[0] + sum(c * f for c, f in zip(coefs[1:], features, strict=False))


def article_model(ev: Evidence) -> tuple[str, list[float]] | None:
    """The richest calibrated article model the evidence allows, and its inputs: each adds
    gaps to the one before (background, then the discussion's nearest comments, then its
    words and mean). None without an article. scripts/eval_relevance.py fits the same."""
    if ev.article_sim is None:
        return None
    if ev.background_sim is None:
        return "article", [ev.article_sim, ev.article_overlap]
    model = "article_background"
    gaps = [ev.article_sim - ev.background_sim, ev.article_overlap - ev.background_overlap]
    if ev.discussion_sim is not None and ev.background_discussion_sim is not None:
        model = "article_discussion"
        gaps.append(ev.discussion_sim - ev.background_discussion_sim)
        # A background measure exists only where the comment's own does.
        if (
            ev.discussion_overlap is not None
            and ev.background_discussion_overlap is not None
            and ev.discussion_mean is not None
            and ev.background_discussion_mean is not None
        ):
            model = "article_discussion_lexical"
            gaps += [
                ev.discussion_overlap - ev.background_discussion_overlap,
                ev.discussion_mean - ev.background_discussion_mean,
            ]
    return model, gaps


def reply_model(ev: Evidence) -> tuple[str, list[float]] | None:
    """``article_model`` for a reply: the same inputs plus the parent's similarity and
    overlap. None for a comment without a parent or without an article."""
    chosen = article_model(ev)
    if chosen is None or ev.parent_sim is None:
        return None
    model, gaps = chosen
    return model + REPLY_SUFFIX, [*gaps, ev.parent_sim, ev.parent_overlap]
