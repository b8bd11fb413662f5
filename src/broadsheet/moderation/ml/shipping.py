"""Training the shipped abuse model from the shared datasets, in one run.

    broadsheet moderation train [--datasets DIR] [--recipe v1..v5] [--with desk.csv] [--no-save]
    python scripts/train_abuse.py ...   (the same, without Django)

Fits the recipe on the train split of every set, calibrates the score on the news-like dev
pool, chooses the auto-mode hold threshold from the slip target, fits the highlight rule on
civil_toxic_spans' dev spans, and writes ml/models/abuse-v1.npz plus its JSON sidecar with
the data version (sha256 over every normalised CSV's sha256) and every figure it measured.
Needs scikit-learn and scipy; the written model needs numpy only.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.corpus import DERIVED, Corpus, load_corpus
from broadsheet.moderation.ml.data import read_rows, sha256_of, split_of
from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel
from broadsheet.moderation.ml.metrics import roc_auc
from broadsheet.moderation.ml.training import (
    RECIPES,
    SEED,
    SHIPPED_RECIPE,
    Features,
    Parts,
    Recipe,
    cache_file,
    feature_matrix,
    fit_on,
    hold_for_slip,
    news_pool,
    platt,
    raw_rows,
    score_rows,
    slip_table,
    to_model,
)

DEFAULT_SLIP_TARGET = 0.01
# Weight of the pretrained model's logit (ml/pretrained.py) added to the trained one's before
# calibration; chosen by the leave-one-out table's fused column (docs/moderation.md).
FUSION_WEIGHT = 0.5
# A newsroom's own desk labels (`--with`) are the comments the model will meet.
OWN_COMMENTS_BOOST = 3.0


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def add_extra(corpus: Corpus, paths: list[str], boost: dict[str, float]) -> list[str]:
    """Append each labelled CSV in PATHS as a set named after its file (the desk's labels)."""
    added = []
    for item in paths:
        path = Path(item)
        if not path.is_file():
            raise SystemExit(f"--with {item}: no such file")
        name = path.stem
        if name in corpus.provenance:
            raise SystemExit(f"--with {item}: a set called {name!r} is already in the datasets")
        try:
            rows = read_rows(path)
        except ValueError as exc:
            raise SystemExit(f"--with {item}: {exc}") from None
        bad = [r["_line"] for r in rows if str(r.get("label", "")).strip() not in ("0", "1")]
        if bad:
            raise SystemExit(
                f"--with {item}: line {bad[0]} has no 0/1 label (a text,label CSV is needed)"
            )
        corpus.names = np.concatenate([corpus.names, np.full(len(rows), name)])
        corpus.texts += [r["text"] for r in rows]
        corpus.labels = np.concatenate([corpus.labels, [int(r["label"]) for r in rows]])
        corpus.splits = np.concatenate([corpus.splits, [split_of(r["text"]) for r in rows]])
        corpus.provenance[name] = {"file": path.name, "sha256": sha256_of(path), "rows": len(rows)}
        boost.setdefault(name, OWN_COMMENTS_BOOST)
        added.append(name)
        _log(f"with {name}: {path}")
    return added


def _per_set_auc(corpus: Corpus, scores_of, split: str) -> dict[str, float]:
    out = {}
    for name in corpus.sets:
        if name in DERIVED:
            continue
        rows = corpus.held_out(name, split)
        y = corpus.labels[rows]
        out[name] = roc_auc(y, scores_of(rows))
    return out


def train(
    datasets: str | Path,
    out: str | Path = DEFAULT_MODEL,
    recipe_name: str = SHIPPED_RECIPE,
    extra: list[str] | None = None,
    slip_target: float = DEFAULT_SLIP_TARGET,
    save: bool = True,
    overrides: dict | None = None,
    cache: Path | None = None,
    fusion_weight: float = FUSION_WEIGHT,
) -> dict:
    """Fit, calibrate, choose thresholds and the highlight rule; write the model if SAVE.

    OVERRIDES may set "C", "buckets" and "boost" ({set: multiplier}) of the recipe."""
    started = time.time()
    recipe = _recipe(recipe_name, overrides or {})
    _log(f"datasets in {datasets}; recipe {recipe_name}")
    corpus = load_corpus(datasets, log=_log, mining=recipe.mine)
    own = add_extra(corpus, extra or [], recipe.boost)
    if own and recipe.experts:
        recipe.always = tuple(own)
    x, parts, shipped = _fit(corpus, recipe, cache if not own else None)
    _fuse(shipped, x, corpus, fusion_weight)

    pool, pool_w = _pool(corpus, "dev")
    calibration = platt(raw_rows(shipped, x, pool), corpus.labels[pool], pool_w)
    shipped.meta["calibration"] = calibration
    _log(f"calibration on the news-like dev pool ({len(pool)} rows): {calibration}")

    def scores_of(rows: np.ndarray) -> np.ndarray:
        return score_rows(shipped, x, rows)

    table, hold, at_hold_test = _auto_mode(corpus, scores_of, pool, pool_w, slip_target)
    fox_check = _fox_news_check(corpus, scores_of, out, hold["t"])

    dev_auc = _per_set_auc(corpus, scores_of, "dev")
    test_auc = _per_set_auc(corpus, scores_of, "test")
    shipped.meta.update({"name": Path(out).stem, "hold": hold["t"]})
    highlight = _highlight(shipped, corpus, datasets)

    t0 = time.time()
    sample = [corpus.texts[i] for i in corpus.rows("test")[:3000]]
    shipped.predict_proba(sample)
    speed = len(sample) / (time.time() - t0)
    summary = {
        "script": "broadsheet moderation train (broadsheet.moderation.ml.shipping)",
        "recipe": recipe_name,
        "recipe_settings": recipe.describe(),
        "experts": parts.info or None,
        "seed": SEED,
        "data_version": corpus.data_version(),
        "datasets": corpus.provenance,
        "with": own,
        "fusion": shipped.meta.get("fusion"),
        "calibration": calibration,
        "auto_mode": {
            "slip_target": slip_target,
            "pool": "dev rows of fox_news, wiki_context_cat, wiki_toxicity_idterm, "
            "jigsaw_kaggle_sample at their base rates; civil_toxic_spans dev positives stand "
            "for half of the abusive weight",
            "hold": hold["t"],
            "dev": hold,
            "test_at_hold": at_hold_test,
            "slip_table_dev": [{k: round(v, 5) for k, v in r.items()} for r in table],
        },
        "fox_news_negatives": fox_check,
        "dev_roc_auc": dev_auc,
        "test_roc_auc_in_domain": test_auc,
        "highlight": highlight,
        "comments_per_second_single_process": round(speed, 1),
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_seconds": round(time.time() - started, 1),
    }
    print("\ndev and test split ROC AUC (in-domain: every set's train split was trained on)")
    for name in dev_auc:
        print(f"  {name:24s} {dev_auc[name]:.4f}  {test_auc[name]:.4f}")
    if save:
        _save(shipped, Path(out), summary)
    _log(f"done in {time.time() - started:.0f}s")
    return summary


def _fit(corpus: Corpus, recipe: Recipe, cache: Path | None) -> tuple[Features, Parts, LinearModel]:
    """The feature matrix, the fitted parts and the model as shipped (CACHE: the features'
    cache folder, None when the site's own labels are in the corpus)."""
    _log(f"featurising {len(corpus.texts)} rows")
    cached = cache_file(cache, corpus.data_version(), recipe.cfg)
    x = feature_matrix(corpus.texts, recipe.cfg, _log, cache=cached)
    _log("fitting on the train split of every set")
    parts = fit_on(corpus, x, recipe)
    if parts.info:
        _log(f"experts chosen: {', '.join(parts.info['chosen'])} (dev ROC AUC on the other "
             f"sets: {parts.info['transfer_dev_roc_auc']})")
    model = to_model(parts, recipe, meta={})
    # Score through the shipped precision (float16 weights) so every figure is the file's.
    shipped = LinearModel(model.weights.astype(np.float16), model.bias, recipe.cfg, {}, model.dense)
    return x, parts, shipped


def _fuse(shipped: LinearModel, x: Features, corpus: Corpus, weight: float) -> None:
    """Add WEIGHT x the pretrained model's logit to the model's (before calibration)."""
    if not weight:
        return
    from broadsheet.moderation.ml.pretrained import get_scorer

    scorer = get_scorer()
    _log(f"scoring {len(corpus.texts)} rows with the pretrained model (fusion weight {weight})")
    x.pretrained = scorer.logits(corpus.texts)
    shipped.meta["fusion"] = {"pretrained": scorer.settings["package"], "weight": weight,
                              "wheel_sha256": scorer.settings["wheel_sha256"]}


def _pool(corpus: Corpus, split: str) -> tuple[np.ndarray, np.ndarray]:
    """The news-like rows of SPLIT at their base rates, with their weights; with no
    comment-like sets (a custom folder), every row of SPLIT as it comes."""
    pool, weights = news_pool(corpus, split)
    if len(set(corpus.labels[pool].tolist())) < 2:
        pool = corpus.rows(split)
        weights = np.ones(len(pool))
    return pool, weights


def _recipe(recipe_name: str, overrides: dict) -> Recipe:
    """The named recipe with OVERRIDES ("C", "buckets", "boost", "nb_mix", "embed_mix")."""
    from dataclasses import replace

    recipe = replace(RECIPES[recipe_name])
    recipe.boost = dict(recipe.boost) | dict(overrides.get("boost") or {})
    if overrides.get("C"):
        recipe.C = float(overrides["C"])
    for name in ("nb_mix", "embed_mix"):
        if overrides.get(name) is not None:
            setattr(recipe, name, float(overrides[name]))
    if overrides.get("buckets"):
        recipe.cfg = replace(recipe.cfg, n_buckets=int(overrides["buckets"]))
    return recipe


def _auto_mode(
    corpus: Corpus, scores_of: Callable[[np.ndarray], np.ndarray], pool: np.ndarray,
    pool_w: np.ndarray, slip_target: float,
) -> tuple[list[dict], dict, dict]:
    """The dev pool's slip table, the hold threshold for SLIP_TARGET, and the test split's
    figures at that threshold."""
    table = slip_table(scores_of(pool), corpus.labels[pool], pool_w)
    hold = hold_for_slip(table, slip_target)
    test_pool, test_w = _pool(corpus, "test")
    test_table = slip_table(scores_of(test_pool), corpus.labels[test_pool], test_w)
    at_hold_test = next(r for r in test_table if r["t"] == hold["t"])
    _log(f"auto mode at slip <= {slip_target:.1%}: hold {hold['t']:.2f}, dev published "
         f"{hold['published']:.1%} (slip {hold['slip']:.2%}); test published "
         f"{at_hold_test['published']:.1%} (slip {at_hold_test['slip']:.2%})")
    return table, hold, at_hold_test


def _fox_news_check(
    corpus: Corpus, scores_of: Callable[[np.ndarray], np.ndarray], out: str | Path,
    hold: float,
) -> dict:
    """How the held-out fox_news negatives score, next to the model at OUT before."""
    fox_neg = np.flatnonzero(
        (corpus.names == "fox_news") & (corpus.labels == 0) & (corpus.splits != "train")
    )
    fox_neg_scores = scores_of(fox_neg)
    previous = None
    if len(fox_neg) and Path(out).is_file():
        try:
            old = LinearModel.load(out)
            old_hold = old.meta.get("hold") or 0.3
            old_scores = old.predict_proba([corpus.texts[i] for i in fox_neg])
            previous = {"mean_score": float(old_scores.mean()),
                        "held_share": float((old_scores >= old_hold).mean()), "hold": old_hold}
        except (OSError, ValueError, KeyError):
            previous = None
    fox_check: dict = {"rows": int(len(fox_neg)), "previous_model": previous}
    if len(fox_neg):
        fox_check["mean_score"] = float(fox_neg_scores.mean())
        fox_check["held_share"] = float((fox_neg_scores >= hold).mean())
        _log(f"fox_news held-out negatives: mean score {fox_check['mean_score']:.3f}, held "
             f"{fox_check['held_share']:.1%}" + (
                 f" (previous model: {previous['mean_score']:.3f}, {previous['held_share']:.1%})"
                 if previous else ""))
    return fox_check


def _highlight(shipped: LinearModel, corpus: Corpus, datasets: str | Path) -> dict:
    """Fit the rule that highlights the words behind a score, where the span set is here."""
    from broadsheet.moderation.ml.spans import SPANS_SET, evaluate_spans, fit_rule, load_gold

    if SPANS_SET in corpus.provenance:
        rule, dev_f1 = fit_rule(shipped, load_gold(datasets, "dev"))
        test_f1 = evaluate_spans(shipped, load_gold(datasets, "test"), rule)
        shipped.meta["highlight"] = {
            "min_push": rule.min_push, "min_share": rule.min_share, "max_words": rule.max_words
        }
        _log(f"highlight rule {shipped.meta['highlight']}: span F1 dev {dev_f1:.4f}, "
             f"test {test_f1:.4f}")
        highlight = shipped.meta["highlight"] | {"span_f1_dev": dev_f1, "span_f1_test": test_f1}
    else:
        highlight = {"note": f"no {SPANS_SET} set: the default highlight rule"}
    return highlight


def _save(shipped: LinearModel, out: Path, summary: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    shipped.meta["trained_at"] = summary["trained_at"]
    shipped.meta["data_version"] = summary["data_version"]
    shipped.save(out)
    out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    _log(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {out.with_suffix('.json').name}")


def main(argv: list[str] | None = None, default_datasets: str | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", default=default_datasets, required=default_datasets is None)
    ap.add_argument("--out", default=str(DEFAULT_MODEL))
    ap.add_argument("--recipe", choices=sorted(RECIPES), default=SHIPPED_RECIPE)
    ap.add_argument("--slip-target", type=float, default=DEFAULT_SLIP_TARGET,
                    help="auto mode: highest share of abusive among published (default 0.01)")
    ap.add_argument("--with", dest="extra", nargs="+", default=[], metavar="CSV",
                    help="more labelled CSVs (e.g. the desk's, from export-labels), each a set "
                    f"named after its file, weighted x{OWN_COMMENTS_BOOST}")
    ap.add_argument("--C", type=float, default=None, help="regularisation (default: the recipe's)")
    ap.add_argument("--buckets", type=int, default=None, help="hash buckets (power of two)")
    ap.add_argument("--nb-mix", type=float, default=None,
                    help="share of the NB-weighted n-gram regression (default: the recipe's)")
    ap.add_argument("--embed-mix", type=float, default=None,
                    help="share of the sentence-vector regression (default: the recipe's)")
    ap.add_argument("--boost", nargs="*", default=[], metavar="NAME=X",
                    help="override a set's weight multiplier, e.g. fox_news=5")
    ap.add_argument("--fusion-weight", type=float, default=FUSION_WEIGHT,
                    help="weight of the pretrained model's logit added before calibration "
                    f"(0: not fused; default {FUSION_WEIGHT:g})")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--feature-cache", default=None, metavar="DIR",
                    help="keep the featurised datasets in DIR, keyed by data version and "
                    "feature settings, and reuse them")
    args = ap.parse_args(argv)
    boost = {}
    for item in args.boost:
        name, _, value = item.partition("=")
        try:
            boost[name] = float(value)
        except ValueError:
            raise SystemExit(f"--boost {item}: expected NAME=NUMBER") from None
    if args.buckets is not None and (args.buckets < 2 or args.buckets & (args.buckets - 1)):
        raise SystemExit("--buckets must be a power of two")
    if not 0 < args.slip_target < 1:
        raise SystemExit("--slip-target must be a share between 0 and 1, e.g. 0.01")
    if not Path(args.datasets).is_dir():
        raise SystemExit(f"--datasets {args.datasets}: no such folder")
    return train(args.datasets, args.out, args.recipe, args.extra, args.slip_target,
                 save=not args.no_save,
                 overrides={"C": args.C, "buckets": args.buckets, "boost": boost,
                            "nb_mix": args.nb_mix, "embed_mix": args.embed_mix},
                 cache=Path(args.feature_cache) if args.feature_cache else None,
                 fusion_weight=args.fusion_weight)
