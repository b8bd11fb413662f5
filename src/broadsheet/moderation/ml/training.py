"""Fitting the abuse model: features of a corpus, per-set weights, the regression, calibration
and the auto-mode threshold chosen from a slip target.

Needs scikit-learn and scipy (the dev extras), imported only when a fit is asked for; the
shipped model is scored with numpy alone (``linear.LinearModel``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from broadsheet.moderation.ml.corpus import COMMENT_SETS, POSITIVES_ONLY, Corpus, with_derived
from broadsheet.moderation.ml.features import FeatureConfig, featurize
from broadsheet.moderation.ml.linear import LinearModel, sentence_vectors, sigmoid
from broadsheet.moderation.ml.mining import MINED_SET, MiningConfig

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
    # Share of the sentence-vector regression in the final logit (0 when cfg.embed_dim is 0).
    embed_mix: float = 0.0
    boost: dict[str, float] = field(default_factory=lambda: dict(DOMAIN_BOOST))
    # Sets never trained on (e.g. the positives-only set in the earlier recipe).
    exclude: tuple[str, ...] = ()
    # 0: one regression pooled over every set. N: one regression per set, the N that score
    # the other sets' dev splits best mixed (ml/experts.py).
    experts: int = 0
    # Sets always among the experts whatever their transfer: the site's own labelled comments
    # (``train --with``), the material the model will meet.
    always: tuple[str, ...] = ()
    # Sets whose train negatives a positives-only set's expert borrows.
    expert_negatives: tuple[str, ...] = (
        "wiki_context_cat", "wiki_toxicity_idterm", "jigsaw_kaggle_sample"
    )
    # Train on the news-comment negatives mined from civil_toxic_spans (ml/mining.py), as a
    # set of their own (MINED_SET, weighted by its boost); None: never trained on.
    mine: MiningConfig | None = None

    def excluded(self) -> tuple[str, ...]:
        """Sets never trained on: ``exclude``, and the mined set unless the recipe mines."""
        return self.exclude + (() if self.mine is not None else (MINED_SET,))

    def describe(self) -> dict:
        return {
            "features": self.cfg.to_dict(),
            "C": self.C,
            "nb_mix": self.nb_mix,
            "embed_mix": self.embed_mix,
            "boost": self.boost,
            "exclude": list(self.exclude),
            "experts": self.experts,
            "expert_negatives": list(self.expert_negatives) if self.experts else [],
            "always": list(self.always),
            "mine": self.mine.to_dict() if self.mine is not None else None,
        }


# The recipe shipped before leave-one-out measurement existed, kept to compare against.
RECIPE_V1 = Recipe(
    cfg=FeatureConfig(word_max=3),
    boost={k: v for k, v in DOMAIN_BOOST.items() if k != "civil_toxic_spans"},
    exclude=POSITIVES_ONLY,
)
RECIPE_V2 = Recipe(
    cfg=FeatureConfig(word_max=3, cues=2, embed_dim=256, embed_scale=1.0), embed_mix=0.3
)
# v1's features, one regression per set, the three that carry best to the other sets mixed.
RECIPE_V3 = Recipe(cfg=FeatureConfig(word_max=3), experts=3)
# v1's features over every set, civil_toxic_spans' toxic news comments paired with the
# sentences of the same comments that no worker marked (news-comment negatives).
RECIPE_V4 = Recipe(
    cfg=FeatureConfig(word_max=3), boost=DOMAIN_BOOST | {MINED_SET: 3.0}, mine=MiningConfig()
)
# v3's experts, civil_toxic_spans' expert trained against those mined negatives.
RECIPE_V5 = Recipe(cfg=FeatureConfig(word_max=3), experts=3, mine=MiningConfig())
# v1 (civil_toxic_spans' positives left out) with the mined negatives alone: plain news text
# from the same readers, without the toxic comments that pull identity words up.
RECIPE_V6 = replace(RECIPE_V1, boost=RECIPE_V1.boost | {MINED_SET: 3.0}, mine=MiningConfig())
RECIPES = {
    "v1": RECIPE_V1, "v2": RECIPE_V2, "v3": RECIPE_V3, "v4": RECIPE_V4, "v5": RECIPE_V5,
    "v6": RECIPE_V6,
}
# The recipe of the shipped model, chosen by the leave-one-out table among those that do not
# hold more plain news text (fox_news negatives, a report of a killing): docs/moderation.md.
SHIPPED_RECIPE = "v4"


@dataclass
class Features:
    """The hashed n-gram and cue features (CSR) and the sentence vectors (or None)."""

    sparse: Any  # a scipy sparse matrix (scipy ships no type hints)
    dense: np.ndarray | None
    # The pretrained model's logit of every row, when the model is fused with it (shipping.py).
    pretrained: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Features:
        return Features(self.sparse[rows], None if self.dense is None else self.dense[rows])


def cache_file(cache_dir: Path | None, data_version: str, cfg: FeatureConfig) -> Path | None:
    """Where the features of this data version under this feature config are kept."""
    if cache_dir is None:
        return None
    import hashlib
    import json

    key = hashlib.sha256(json.dumps(cfg.to_dict(), sort_keys=True).encode()).hexdigest()
    return Path(cache_dir) / f"features-{data_version[:16]}-{key[:16]}"


def feature_matrix(
    texts: list[str], cfg: FeatureConfig, log: Callable[[str], None], cache: Path | None = None
) -> Features:
    """Features of TEXTS; with CACHE (a file path), loaded from or saved to it."""
    from scipy.sparse import csr_matrix, load_npz, save_npz

    if cache is not None and cache.with_suffix(".sparse.npz").is_file():
        log(f"  features from the cache {cache}")
        dense_file = cache.with_suffix(".dense.npy")
        return Features(
            load_npz(cache.with_suffix(".sparse.npz")),
            np.load(dense_file) if dense_file.is_file() else None,
        )
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
    dense = None
    if cfg.embed_dim:
        dense = np.vstack(
            [sentence_vectors(texts[i : i + 4096], cfg) for i in range(0, len(texts), 4096)]
        )
        log(f"  sentence vectors for {len(texts)} texts ({time.time() - t0:.0f}s)")
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_npz(cache.with_suffix(".sparse.npz"), x)
        if dense is not None:
            np.save(cache.with_suffix(".dense.npy"), dense)
    return Features(x, dense)


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


@dataclass
class Parts:
    """The separately fitted regressions whose logits the recipe mixes: plain and
    NB-weighted over the sparse features, and one over the sentence vectors."""

    plain: tuple[np.ndarray, float]
    nb: tuple[np.ndarray, float] | None
    dense: tuple[np.ndarray, float] | None
    # How a mix of experts was made (which experts, how well each carried); else empty.
    info: dict = field(default_factory=dict)

    def combine(self, nb_mix: float, embed_mix: float) -> tuple[np.ndarray, np.ndarray, float]:
        """(sparse weights, dense weights, bias) of the mixed model: every part is linear in
        its features, so a mix of logits is one weight vector and costs nothing to score."""
        coef, bias = self.plain
        if self.nb is not None and nb_mix > 0:
            coef = (1 - nb_mix) * coef + nb_mix * self.nb[0]
            bias = (1 - nb_mix) * bias + nb_mix * self.nb[1]
        if self.dense is None or embed_mix <= 0:
            dim = 0 if self.dense is None else len(self.dense[0])
            return coef, np.zeros(dim), bias
        d_coef, d_bias = self.dense
        return (
            (1 - embed_mix) * coef,
            embed_mix * d_coef,
            (1 - embed_mix) * bias + embed_mix * d_bias,
        )


def fit_parts(feats: Features, y: np.ndarray, w: np.ndarray, recipe: Recipe) -> Parts:
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    x = feats.sparse
    clf = LogisticRegression(C=recipe.C, solver="liblinear", max_iter=200, random_state=SEED)
    clf.fit(x, y, sample_weight=w)
    plain = (clf.coef_.ravel().astype(np.float64), float(clf.intercept_[0]))
    nb = None
    if recipe.nb_mix > 0:
        r = _nb_ratio(x, y, w)
        nbc = LogisticRegression(C=recipe.C, solver="liblinear", max_iter=200, random_state=SEED)
        nbc.fit(x @ diags(r), y, sample_weight=w)
        nb = (nbc.coef_.ravel() * r, float(nbc.intercept_[0]))
    dense = None
    if feats.dense is not None:
        dl = LogisticRegression(C=1.0, solver="lbfgs", max_iter=500)
        dl.fit(feats.dense, y, sample_weight=w)
        dense = (dl.coef_.ravel().astype(np.float64), float(dl.intercept_[0]))
    return Parts(plain, nb, dense)


def train_rows(corpus: Corpus, recipe: Recipe, leave_out: tuple[str, ...] = ()) -> np.ndarray:
    dropped = recipe.excluded() + with_derived(leave_out)
    keep = (corpus.splits == "train") & ~np.isin(corpus.names, dropped)
    return np.flatnonzero(keep)


def fit_on(
    corpus: Corpus,
    feats: Features,
    recipe: Recipe,
    leave_out: tuple[str, ...] = (),
    memo: dict | None = None,
) -> Parts:
    """The recipe's parts fitted on the train split of every set but LEAVE_OUT (MEMO: fitted
    experts kept between calls, for a recipe of experts)."""
    if recipe.experts:
        from broadsheet.moderation.ml.experts import fit_experts

        return fit_experts(corpus, feats, recipe, leave_out, memo)
    rows = train_rows(corpus, recipe, leave_out)
    y = corpus.labels[rows]
    w = sample_weights(corpus.names[rows], y, recipe.boost)
    return fit_parts(feats.take(rows), y, w, recipe)


def to_model(
    parts: Parts, recipe: Recipe, meta: dict, mix: tuple[float, float] | None = None
) -> LinearModel:
    nb_mix, embed_mix = mix or (recipe.nb_mix, recipe.embed_mix)
    coef, dense, bias = parts.combine(nb_mix, embed_mix)
    return LinearModel(coef.astype(np.float32), bias, recipe.cfg, meta, dense=dense)


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


def raw_rows(model: LinearModel, feats: Features, rows: np.ndarray) -> np.ndarray:
    """Uncalibrated logits of already-featurised rows (the same as raw_logits)."""
    z = feats.sparse[rows] @ model.weights.astype(np.float64) + model.bias
    if model.cfg.embed_dim and feats.dense is not None:
        z = z + feats.dense[rows] @ model.dense.astype(np.float64)
    z = np.asarray(z).ravel()
    if model.fusion_weight and feats.pretrained is not None:
        z = z + model.fusion_weight * feats.pretrained[rows]
    return z


def score_rows(model: LinearModel, feats: Features, rows: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of already-featurised rows (the same as predict_proba)."""
    return model.calibrate(raw_rows(model, feats, rows))


__all__ = [
    "RECIPES",
    "Features",
    "Parts",
    "Recipe",
    "feature_matrix",
    "fit_on",
    "raw_rows",
    "hold_for_slip",
    "news_pool",
    "platt",
    "score_rows",
    "sigmoid",
    "slip_table",
    "to_model",
]
