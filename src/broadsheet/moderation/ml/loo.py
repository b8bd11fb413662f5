"""Leave-one-set-out: how the abuse model does on a source it has never seen.

For every set: fit on the train split of all the other sets, score the left-out set's test
split (a positives-only set with the comment-like sets' test negatives), and report ROC AUC.
Models are chosen by the mean and the worst of this table, news sets weighted up, never by
one set's test split.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import numpy as np

from broadsheet.moderation.ml.corpus import (
    NEWS_SETS,
    NEWS_WEIGHT,
    PAIRED_NEGATIVES,
    POSITIVES_ONLY,
    load_corpus,
)
from broadsheet.moderation.ml.metrics import roc_auc
from broadsheet.moderation.ml.training import (
    RECIPES,
    Recipe,
    feature_matrix,
    fit_on,
    score_rows,
    to_model,
)


def summarise(aucs: dict[str, float]) -> dict[str, float | str]:
    """Plain mean, news-weighted mean (news sets x NEWS_WEIGHT) and the worst set."""
    vals = {k: v for k, v in aucs.items() if not np.isnan(v)}
    if not vals:
        return {"mean": float("nan"), "news_weighted_mean": float("nan"), "worst": float("nan")}
    weights = np.array([NEWS_WEIGHT if k in NEWS_SETS else 1.0 for k in vals])
    scores = np.array(list(vals.values()))
    worst = min(vals, key=vals.__getitem__)
    return {
        "mean": float(scores.mean()),
        "news_weighted_mean": float((weights * scores).sum() / weights.sum()),
        "worst": float(vals[worst]),
        "worst_set": worst,
    }


def leave_one_out(
    datasets_dir: str | Path,
    recipe: Recipe | str = "v2",
    sets: tuple[str, ...] | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """The leave-one-out table for RECIPE over the sets in DATASETS_DIR (or just SETS)."""
    if isinstance(recipe, str):
        recipe = RECIPES[recipe]
    started = time.time()
    log(f"reading {datasets_dir}")
    corpus = load_corpus(datasets_dir, log=log)
    log(f"featurising {len(corpus.texts)} rows")
    x = feature_matrix(corpus.texts, recipe.cfg, log)
    targets = [s for s in corpus.sets if sets is None or s in sets]
    rows: dict[str, dict] = {}
    for k, name in enumerate(targets, 1):
        t0 = time.time()
        coef, bias = fit_on(corpus, x, recipe, leave_out=(name,))
        model = to_model(coef, bias, recipe, meta={})
        held = corpus.held_out(name)
        scores = score_rows(model, x, held)
        y = corpus.labels[held]
        auc = roc_auc(y, scores)
        rows[name] = {
            "roc_auc": auc,
            "rows": int(len(held)),
            "positives": int(y.sum()),
            "measured_on": (
                "its test split + dev/test negatives of " + ", ".join(PAIRED_NEGATIVES)
                if name in POSITIVES_ONLY
                else "its test split"
            ),
        }
        log(f"[{k}/{len(targets)}] without {name}: ROC AUC {auc:.4f} on {len(held)} rows "
            f"({int(y.sum())} abusive), {time.time() - t0:.0f}s")
    aucs = {k: v["roc_auc"] for k, v in rows.items()}
    return {
        "recipe": recipe.describe(),
        "sets": rows,
        "summary": summarise(aucs),
        "seconds": round(time.time() - started, 1),
        "data_version": corpus.data_version(),
    }


def print_table(result: dict, out: TextIO) -> None:
    w = out.write
    w("\nleave-one-out ROC AUC (trained without the set, measured on its test split)\n")
    w(f"  {'left out':24s} {'ROC AUC':>8s} {'rows':>7s} {'abusive':>8s}\n")
    for name, r in result["sets"].items():
        mark = "  (news)" if name in NEWS_SETS else ""
        w(f"  {name:24s} {r['roc_auc']:8.4f} {r['rows']:7d} {r['positives']:8d}{mark}\n")
    s = result["summary"]
    w(f"  {'mean':24s} {s['mean']:8.4f}\n")
    w(f"  {'news-weighted mean':24s} {s['news_weighted_mean']:8.4f}"
      f"   (news sets x{NEWS_WEIGHT:g})\n")
    w(f"  {'worst':24s} {s['worst']:8.4f}   ({s.get('worst_set', '-')})\n")
    for name in POSITIVES_ONLY:
        if name in result["sets"]:
            w(f"  note: {name} has positives only; its test split is measured against the "
              f"dev and test negatives of {', '.join(PAIRED_NEGATIVES)} (never trained on)\n")
    w(f"  done in {result['seconds']:.0f}s\n")
