"""Fitting the abuse model: features of a corpus, per-set weights, the regression, calibration
and the auto-mode threshold chosen from a slip target.

Needs scikit-learn and scipy (the dev extras), imported only when a fit is asked for; the
shipped model is scored with numpy alone (``linear.LinearModel``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from broadsheet.moderation.ml.corpus import COMMENT_SETS, POSITIVES_ONLY, Corpus
from broadsheet.moderation.ml.features import FeatureConfig, featurize
from broadsheet.moderation.ml.linear import LinearModel, sentence_vectors, sigmoid

SEED = 20261127
# Sets whose text is closest to a news site's get more say; the tweet sets are large and
# lexicon-sampled. civil_toxic_spans is news comments (positives only).
DOMAIN_BOOST = {
    "fox_news": 3.0,
    "civil_toxic_spans": 3.0,
    "wiki_context_cat": 3.0,
    "wiki_toxicity_idterm": 3.0,
    "jigsaw_kaggle_sample": 3.0,
    "olid_train": 2.0,
}


@dataclass
class Recipe:
    """Everything that decides a model besides the data."""

    cfg: FeatureConfig = field(default_factory=FeatureConfig)
    C: float = 0.5
    nb_mix: float = 0.5
    boost: dict[str, float] = field(default_factory=lambda: dict(DOMAIN_BOOST))
    # Sets never trained on (e.g. the positives-only set in the earlier recipe).
    exclude: tuple[str, ...] = ()

    def describe(self) -> dict:
        return {
            "features": self.cfg.to_dict(),
            "C": self.C,
            "nb_mix": self.nb_mix,
            "boost": self.boost,
            "exclude": list(self.exclude),
        }


# The recipe shipped before leave-one-out measurement existed, kept to compare against.
RECIPE_V1 = Recipe(
    cfg=FeatureConfig(word_max=3),
    boost={k: v for k, v in DOMAIN_BOOST.items() if k != "civil_toxic_spans"},
    exclude=POSITIVES_ONLY,
)
RECIPE_V2 = Recipe(cfg=FeatureConfig(word_max=3, cues=2, embed_dim=256, embed_scale=1.0))
RECIPES = {"v1": RECIPE_V1, "v2": RECIPE_V2}


def feature_matrix(texts: list[str], cfg: FeatureConfig, log: Callable[[str], None]):
    """CSR matrix of the hashed features, with the dense sentence block as the last columns."""
    from scipy.sparse import csr_matrix, hstack

    t0 = time.time()
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    idx, val = [], []
    for i, text in enumerate(texts):
        f = featurize(text, cfg)
        idx.append(f.indices)
        val.append(f.values)
        indptr[i + 1] = indptr[i] + len(f.indices)
        if (i + 1) % 20000 == 0:
            log(f"  featurised {i + 1}/{len(texts)} ({time.time() - t0:.0f}s)")
    x = csr_matrix(
        (np.concatenate(val), np.concatenate(idx).astype(np.int32), indptr),
        shape=(len(texts), cfg.n_buckets),
    )
    x.sum_duplicates()
    if cfg.embed_dim:
        dense = np.vstack(
            [sentence_vectors(texts[i : i + 4096], cfg) for i in range(0, len(texts), 4096)]
        )
        x = hstack([x, csr_matrix(dense)], format="csr")
        log(f"  sentence vectors for {len(texts)} texts ({time.time() - t0:.0f}s)")
    return x


def sample_weights(names: np.ndarray, labels: np.ndarray, boost: dict[str, float]) -> np.ndarray:
    """Classes balanced within each set; each set weighs sqrt(its size) x its boost.

    A positives-only set has no negatives to balance; its positives take half its weight,
    as in any other set, and the negatives of the other sets stand for the other half.
    """
    w = np.zeros(len(names), dtype=np.float64)
    for name in sorted(set(names.tolist())):
        in_set = names == name
        total = np.sqrt(in_set.sum()) * boost.get(name, 1.0)
        for cls in (0, 1):
            m = in_set & (labels == cls)
            if m.any():
                w[m] = total / 2.0 / m.sum()
    return w * (len(w) / w.sum())


def _nb_ratio(x, y: np.ndarray, w: np.ndarray, alpha: float = 0.3) -> np.ndarray:
    xb = (x > 0).astype(np.float64)
    p = np.asarray(xb.T @ (w * (y == 1))).ravel()
    q = np.asarray(xb.T @ (w * (y == 0))).ravel()
    return np.log((p + alpha) / (p.sum() + alpha)) - np.log((q + alpha) / (q.sum() + alpha))


def fit(x, y: np.ndarray, w: np.ndarray, recipe: Recipe) -> tuple[np.ndarray, float]:
    """Weights over all columns and the bias. With nb_mix, an NB-weighted regression is
    averaged in; both are linear in the same features, so the mix is one weight vector."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=recipe.C, solver="liblinear", max_iter=200, random_state=SEED)
    clf.fit(x, y, sample_weight=w)
    coef, bias = clf.coef_.ravel().astype(np.float64), float(clf.intercept_[0])
    if recipe.nb_mix > 0:
        r = _nb_ratio(x, y, w)
        if recipe.cfg.embed_dim:
            r[-recipe.cfg.embed_dim :] = 1.0  # dense columns are not counts
        nb = LogisticRegression(C=recipe.C, solver="liblinear", max_iter=200, random_state=SEED)
        nb.fit(x @ diags(r), y, sample_weight=w)
        coef = (1 - recipe.nb_mix) * coef + recipe.nb_mix * nb.coef_.ravel() * r
        bias = (1 - recipe.nb_mix) * bias + recipe.nb_mix * float(nb.intercept_[0])
    return coef, bias


def train_rows(corpus: Corpus, recipe: Recipe, leave_out: tuple[str, ...] = ()) -> np.ndarray:
    keep = (corpus.splits == "train") & ~np.isin(corpus.names, recipe.exclude + leave_out)
    return np.flatnonzero(keep)


def fit_on(corpus: Corpus, x, recipe: Recipe, leave_out: tuple[str, ...] = ()):
    rows = train_rows(corpus, recipe, leave_out)
    y = corpus.labels[rows]
    w = sample_weights(corpus.names[rows], y, recipe.boost)
    return fit(x[rows], y, w, recipe)


def to_model(coef: np.ndarray, bias: float, recipe: Recipe, meta: dict) -> LinearModel:
    n = recipe.cfg.n_buckets
    return LinearModel(coef[:n].astype(np.float32), bias, recipe.cfg, meta, dense=coef[n:])


# --- calibration and the slip target --------------------------------------------------------


def news_pool(corpus: Corpus, split: str = "dev") -> tuple[np.ndarray, np.ndarray]:
    """Rows and weights of the pool thresholds are chosen on: the comment-like sets' SPLIT
    rows at their own base rates, with the positives-only news set's SPLIT rows standing
    for half of the abusive weight (so the pool's abusive share stays that of the comments,
    and half of its abuse reads like a news site's)."""
    own = np.flatnonzero((corpus.splits == split) & np.isin(corpus.names, COMMENT_SETS))
    news_pos = np.flatnonzero((corpus.splits == split) & np.isin(corpus.names, POSITIVES_ONLY))
    w_own = np.ones(len(own))
    n_pos = int(corpus.labels[own].sum())
    if len(news_pos) and n_pos:
        w_own[corpus.labels[own] == 1] = 0.5
        w_news = np.full(len(news_pos), 0.5 * n_pos / len(news_pos))
        return np.concatenate([own, news_pos]), np.concatenate([w_own, w_news])
    return own, w_own


def platt(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, float]:
    """Slope and offset mapping raw logits to calibrated probabilities (weighted)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(z.reshape(-1, 1), y, sample_weight=w)
    return {"slope": float(lr.coef_[0, 0]), "offset": float(lr.intercept_[0])}


def slip_table(p: np.ndarray, y: np.ndarray, w: np.ndarray) -> list[dict[str, float]]:
    """For each threshold t: the share published (score < t) and the abusive share among
    those published, both weighted."""
    table = []
    total = w.sum()
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        pub = p < t
        wp = w[pub].sum()
        slip = float((w[pub] * y[pub]).sum() / wp) if wp else 0.0
        table.append({"t": float(t), "published": float(wp / total), "slip": slip})
    return table


def hold_for_slip(table: list[dict[str, float]], target: float) -> dict[str, float]:
    """The highest threshold whose published comments hold at most TARGET abusive ones."""
    ok = [r for r in table if r["slip"] <= target]
    if not ok:
        return {"t": table[0]["t"], "published": table[0]["published"], "slip": table[0]["slip"]}
    return max(ok, key=lambda r: r["t"])


def score_rows(model: LinearModel, x, rows: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of already-featurised rows (the same as predict_proba)."""
    n = model.cfg.n_buckets
    z = x[rows][:, :n] @ model.weights.astype(np.float64) + model.bias
    if model.cfg.embed_dim:
        z = z + x[rows][:, n:] @ model.dense.astype(np.float64)
    return model.calibrate(np.asarray(z).ravel())


__all__ = [
    "RECIPES",
    "Recipe",
    "feature_matrix",
    "fit_on",
    "hold_for_slip",
    "news_pool",
    "platt",
    "score_rows",
    "sigmoid",
    "slip_table",
    "to_model",
]
