"""One regression per training set, the few that carry best to the other sets mixed.

A regression pooled over every set learns whatever separates the classes in the largest,
most lopsided sets, fingerprints included. Fitting one regression per set and asking how well
each scores the *other* sets' dev splits shows which sources teach abuse in a form that
carries (OLID's targeted insults, the toxic news comments) and which teach a source's own
definition (fox_news "hateful", davidson's profanity). The model is the mean of the
standardised logits of the best-carrying few: every expert is linear in the same hashed
features, so the mean is again one weight vector and costs nothing extra to score.

Nothing here looks at a left-out set: experts, their standardisation and their choice use
only the train and dev rows of the sets being trained on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from broadsheet.moderation.ml.corpus import (
    NEWS_SETS,
    NEWS_WEIGHT,
    PAIRED_NEGATIVES,
    POSITIVES_ONLY,
    Corpus,
    with_derived,
)
from broadsheet.moderation.ml.metrics import roc_auc
from broadsheet.moderation.ml.mining import MINED_SET

if TYPE_CHECKING:
    from broadsheet.moderation.ml.training import Features, Parts, Recipe


def expert_rows(
    corpus: Corpus, name: str, recipe: Recipe, leave_out: tuple[str, ...]
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Train rows of set NAME's expert, and the sets lending it negatives.

    A positives-only set borrows the train negatives of ``recipe.expert_negatives`` (the
    Wikipedia comment sets: talk-page text, not news, so "news-like" is not what separates
    the classes), never those of a left-out set."""
    train = corpus.splits == "train"
    if name not in POSITIVES_ONLY:
        return np.flatnonzero(train & (corpus.names == name)), ()
    lenders = tuple(
        s for s in recipe.expert_negatives if s not in leave_out and s in corpus.provenance
    )
    if MINED_SET in corpus.provenance and MINED_SET not in leave_out + recipe.excluded():
        # News-comment negatives from the set's own comments (ml/mining.py).
        lenders += (MINED_SET,)
    if not lenders:
        # None of the preferred sets here (a custom folder): every other set's negatives.
        lenders = tuple(
            s for s in corpus.sets if s not in leave_out + POSITIVES_ONLY + (MINED_SET,)
        )
    negatives = np.isin(corpus.names, lenders) & (corpus.labels == 0)
    return np.flatnonzero(train & ((corpus.names == name) | negatives)), lenders


def _balanced(y: np.ndarray) -> np.ndarray:
    w = np.ones(len(y))
    for cls in (0, 1):
        m = y == cls
        if m.any():
            w[m] = len(y) / 2.0 / m.sum()
    return w


def _logit(parts: Parts, x, nb_mix: float) -> np.ndarray:
    coef, _dense, bias = parts.combine(nb_mix, 0.0)
    return np.asarray(x @ coef + bias).ravel()


def _transfer(
    corpus: Corpus, z: np.ndarray, name: str, targets: list[str]
) -> float:
    """News-weighted mean dev ROC AUC of an expert's logits Z on the TARGETS but its own."""
    scores, weights = [], []
    for j in targets:
        if j == name:
            continue
        rows = corpus.held_out(j, "dev")
        y = corpus.labels[rows]
        if len(set(y.tolist())) < 2:
            continue
        scores.append(roc_auc(y, z[rows]))
        weights.append(NEWS_WEIGHT if j in NEWS_SETS else 1.0)
    return float(np.average(scores, weights=weights)) if scores else 0.5


def fit_experts(
    corpus: Corpus,
    feats: Features,
    recipe: Recipe,
    leave_out: tuple[str, ...] = (),
    memo: dict | None = None,
) -> Parts:
    """The mixed model of the ``recipe.experts`` best-carrying experts (see the module doc).

    MEMO (a dict) keeps fitted experts between calls: an expert depends only on its set and
    the sets lending it negatives, so a leave-one-out run fits each about once."""
    from broadsheet.moderation.ml.training import Parts, fit_parts

    memo = {} if memo is None else memo
    leave_out = with_derived(leave_out)
    names = [s for s in corpus.sets if s not in leave_out + recipe.excluded()]
    fitted: dict[str, Parts] = {}
    for name in names:
        rows, lenders = expert_rows(corpus, name, recipe, leave_out)
        y = corpus.labels[rows]
        if len(set(y.tolist())) < 2:
            continue
        key = (name, lenders, recipe.C, recipe.nb_mix)
        if key not in memo:
            memo[key] = fit_parts(feats.take(rows), y, _balanced(y), recipe)
        fitted[name] = memo[key]
    # A positives-only set is measured against its paired sets' negatives: with those sets
    # left out it cannot be measured without them.
    banned = set(leave_out)
    if banned & set(PAIRED_NEGATIVES):
        banned |= set(POSITIVES_ONLY)
    targets = [s for s in names if s not in banned]
    reference = np.flatnonzero((corpus.splits == "dev") & np.isin(corpus.names, names))
    z_all: dict[str, np.ndarray] = {}
    transfer: dict[str, float] = {}
    for name, parts in fitted.items():
        z_all[name] = _logit(parts, feats.sparse, recipe.nb_mix)
        transfer[name] = _transfer(corpus, z_all[name], name, targets)
    chosen = [s for s in recipe.always if s in fitted]
    chosen += [s for s in sorted(fitted, key=transfer.__getitem__, reverse=True)
               if s not in chosen][: recipe.experts]
    plain = np.zeros(feats.sparse.shape[1])
    nb = np.zeros(feats.sparse.shape[1])
    bias_plain = bias_nb = 0.0
    for name in chosen:
        z = z_all[name][reference]
        scale = 1.0 / len(chosen) / max(float(z.std()), 1e-9)
        shift = float(z.mean())
        parts = fitted[name]
        plain += scale * parts.plain[0]
        bias_plain += scale * (parts.plain[1] - shift)
        nb_coef, nb_bias = parts.nb if parts.nb is not None else parts.plain
        nb += scale * nb_coef
        bias_nb += scale * (nb_bias - shift)
    info = {
        "transfer_dev_roc_auc": {k: round(v, 4) for k, v in sorted(transfer.items())},
        "chosen": chosen,
    }
    return Parts((plain, bias_plain), (nb, bias_nb), None, info=info)
