"""What the relevance scanner measures, and the vector maths behind it.

``Evidence`` holds one comment's similarities and token overlaps with its article, the site's
other recent articles, its parent and the readers' discussion; the functions below compute
them over whole batches with numpy (see ``scanners/relevance.py`` for what each measure
means to the score).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.scanners.base import BackgroundArticle

# Fewer background articles than this say too little about what "generic" looks like.
BACKGROUND_MIN = 3
BACKGROUND_TEMPERATURE = 10.0
# A discussion counts from this many approved comments; its similarity is the mean of the
# comment's nearest two, so one look-alike remark does not decide it alone. Both numbers and
# the temperature were chosen with scripts/eval_relevance.py's leave-one-article-out
# (docs/moderation.md, "On-topic judgement").
DISCUSSION_MIN = 5
DISCUSSION_NEIGHBOURS = 2
DISCUSSION_TEMPERATURE = 30.0
# The pipeline passes at most this many of an article's newest approved comments.
DISCUSSION_SIZE = 200
# At or above this cosine a discussion row is the comment itself (or a copy of it).
SAME_TEXT_SIMILARITY = 0.999


@dataclass
class Evidence:
    """What the score is made of, for one comment (None = that context was missing)."""

    article_sim: float | None = None
    article_overlap: float = 0.0
    background_sim: float | None = None  # soft maximum over the background articles
    background_overlap: float = 0.0  # mean over the background articles
    background_size: int = 0
    closest_other: tuple[str, float] | None = None  # most similar background article
    parent_sim: float | None = None
    parent_overlap: float = 0.0
    discussion_sim: float | None = None  # mean of the nearest approved comments
    background_discussion_sim: float | None = None  # soft maximum, background discussions
    # The same for the token overlap with the nearest comments, and for the mean similarity
    # to the whole discussion (its subject rather than its closest remark).
    discussion_overlap: float | None = None
    background_discussion_overlap: float | None = None
    discussion_mean: float | None = None
    background_discussion_mean: float | None = None
    vector: np.ndarray | None = None  # the comment's embedding
    bag: emb.Bag | None = None  # the comment's token bag


def soft_max(sims: np.ndarray, temperature: float = BACKGROUND_TEMPERATURE) -> float:
    """Log-mean-exp: between the mean and the maximum, and stable in the number of items."""
    sims = np.asarray(sims, dtype=np.float64)
    top = float(sims.max())
    return top + float(np.log(np.mean(np.exp(temperature * (sims - top))))) / temperature



_columns_memo: dict[tuple[int, int], tuple[tuple, dict, list[int]]] = {}


def columns_of(background: tuple[BackgroundArticle, ...], cols: dict[int, int]) -> list[int]:
    """Columns of a stacked block that BACKGROUND's articles occupy. The comments on one
    article share one background tuple, so each (tuple, block) pair is worked out once."""
    key = (id(background), id(cols))
    hit = _columns_memo.get(key)
    # Both objects are kept in the memo, so neither id can be reused while it is there.
    if hit is not None and hit[0] is background and hit[1] is cols:
        return hit[2]
    if len(_columns_memo) > 256:
        _columns_memo.clear()
    picked = [cols[id(b)] for b in background if id(b) in cols]
    _columns_memo[key] = (background, cols, picked)
    return picked


def discussion_sims(
    discussion: np.ndarray | None, vector: np.ndarray, dim: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Similarities of VECTOR to the rows of DISCUSSION (newest first), copies of it left out,
    and which rows were kept; (None, None) when the discussion is missing, in another space,
    or too small to say anything."""
    if discussion is None or discussion.ndim != 2 or discussion.shape[1] != dim:
        return None, None
    sims = discussion @ vector
    kept = sims < SAME_TEXT_SIMILARITY
    sims = sims[kept]
    return (sims, kept) if len(sims) >= DISCUSSION_MIN else (None, None)


def nearest_mean(sims: np.ndarray | None) -> float | None:
    """Mean of the DISCUSSION_NEIGHBOURS highest similarities."""
    if sims is None:
        return None
    take = min(DISCUSSION_NEIGHBOURS, len(sims))
    return float(np.partition(sims, len(sims) - take)[len(sims) - take :].mean())


def nearest_in_rows(sims: np.ndarray, enough: np.ndarray) -> np.ndarray:
    """Mean of the DISCUSSION_NEIGHBOURS highest along the last axis; NaN where not ENOUGH."""
    longest = sims.shape[-1]
    take = min(DISCUSSION_NEIGHBOURS, longest)
    top = np.partition(sims, longest - take, axis=-1)[..., longest - take :]
    with np.errstate(invalid="ignore"):
        return np.where(enough, top.mean(axis=-1), np.nan)


def means_by_size(sims: np.ndarray) -> np.ndarray:
    """[m] = mean of the first m similarities (the m newest comments); NaN under
    DISCUSSION_MIN, like ``nearest_means_by_size``."""
    out = np.full(len(sims) + 1, np.nan)
    sizes = np.arange(1, len(sims) + 1)
    out[DISCUSSION_MIN:] = (np.cumsum(sims) / sizes)[DISCUSSION_MIN - 1 :]
    return out


def nearest_means_by_size(sims: np.ndarray) -> np.ndarray:
    """[m] = ``nearest_mean`` of the first m similarities (the m newest comments), for m up
    to len(SIMS); NaN under DISCUSSION_MIN. Running maxima, not a loop: it runs per comment."""
    first = np.maximum.accumulate(sims)
    if DISCUSSION_NEIGHBOURS == 1:
        means = first
    else:
        # The second highest of a prefix is the highest of min(value, highest before it).
        assert DISCUSSION_NEIGHBOURS == 2, "written for the nearest one or two"
        second = np.maximum.accumulate(
            np.concatenate([[-np.inf], np.minimum(sims[1:], first[:-1])])
        )
        means = (first + second) / 2
    out = np.full(len(sims) + 1, np.nan)
    out[DISCUSSION_MIN:] = means[DISCUSSION_MIN - 1 :]
    return out


def overlap_table(
    articles: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """The articles' bags as one (articles, their vocabulary) matrix, and that vocabulary."""
    vocab = np.unique(np.concatenate([ids for ids, _ in articles] or [np.zeros(0, np.int64)]))
    table = np.zeros((len(articles), len(vocab)), dtype=np.float32)
    for r, (ids, w) in enumerate(articles):
        table[r, np.searchsorted(vocab, ids)] = w
    return vocab, table


def overlap_matrix(
    comments: list[tuple[np.ndarray, np.ndarray]], vocab: np.ndarray, table: np.ndarray
) -> np.ndarray:
    """``overlap`` of every comment with every article of an ``overlap_table``."""
    out = np.zeros((len(comments), table.shape[0]), dtype=np.float32)
    if not len(vocab):
        return out
    for i, (ids, w) in enumerate(comments):
        if not len(ids):
            continue
        pos = np.minimum(np.searchsorted(vocab, ids), len(vocab) - 1)
        hit = vocab[pos] == ids
        out[i] = table[:, pos[hit]] @ w[hit]
    return out


def overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][ia] @ b[1][ib])
