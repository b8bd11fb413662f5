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

import numpy as np

from broadsheet.moderation.ml.corpus import (
    DERIVED,
    NEWS_SETS,
    NEWS_WEIGHT,
    PAIRED_NEGATIVES,
    POSITIVES_ONLY,
    Corpus,
    load_corpus,
)
from broadsheet.moderation.ml.data import Output
from broadsheet.moderation.ml.metrics import roc_auc
from broadsheet.moderation.ml.mining import MiningConfig
from broadsheet.moderation.ml.training import (
    RECIPES,
    SHIPPED_RECIPE,
    Features,
    Parts,
    Recipe,
    cache_file,
    feature_matrix,
    fit_on,
)

NB_MIXES = (0.0, 0.5)
EMBED_MIXES = (0.0, 0.15, 0.3, 0.5)
# Weights of the pretrained model's logit added to each fold's (the fused columns).
FUSION_WEIGHTS = (0.5, 1.0)


def _pretrained_logits(texts: list[str], log: Callable[[str], None]) -> np.ndarray | None:
    """The pretrained model's logit of every row, or None (and a note) when it is not
    extracted: the fused columns are then left out."""
    from broadsheet.moderation.ml.pretrained import PretrainedMissing, get_scorer

    try:
        scorer = get_scorer()
    except PretrainedMissing as exc:
        log(f"no fused columns: {exc}")
        return None
    return scorer.logits(texts)


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


def _mixed(mix: tuple[float, float], z_plain, z_nb, z_dense) -> np.ndarray:
    """The recipe's logit from a fold's parts: (NB share, sentence-vector share)."""
    return np.ravel((1 - mix[1]) * ((1 - mix[0]) * z_plain + mix[0] * z_nb) + mix[1] * z_dense)


def _add_fused(fused: dict[float, dict[str, float]], name: str, y: np.ndarray, z: np.ndarray,
               pretrained: np.ndarray | None) -> None:
    """ROC AUC of the fold's logit Z plus each weight x the pretrained logit, into FUSED."""
    if pretrained is not None:
        for w in FUSION_WEIGHTS:
            fused[w][name] = roc_auc(y, z + w * pretrained)


def leave_one_out(
    datasets_dir: str | Path,
    recipe: Recipe | str = SHIPPED_RECIPE,
    sets: tuple[str, ...] | None = None,
    log: Callable[[str], None] = print,
    cache: Path | None = None,
    split: str = "test",
) -> dict:
    """The leave-one-out table for RECIPE over the sets in DATASETS_DIR (or just SETS).

    Each fold's separately fitted parts (plain and NB-weighted n-gram regressions, the
    sentence-vector regression) are also mixed in other proportions at no extra fitting
    cost; the "mixes" summary is what the recipe's own mix was chosen by."""
    if isinstance(recipe, str):
        recipe = RECIPES[recipe]
    started = time.time()
    log(f"reading {datasets_dir}")
    # The mined news-comment negatives are always read: trained on only by a recipe that
    # mines, they also make the extra row (positives against negatives of their own comments).
    corpus = load_corpus(datasets_dir, log=log, mining=recipe.mine or MiningConfig())
    log(f"featurising {len(corpus.texts)} rows")
    feats = feature_matrix(
        corpus.texts, recipe.cfg, log, cache=cache_file(cache, corpus.data_version(), recipe.cfg)
    )
    targets = [s for s in corpus.sets if (sets is None or s in sets) and s not in DERIVED]
    embed_mixes = EMBED_MIXES if feats.dense is not None else (0.0,)
    nb_mixes = NB_MIXES if recipe.nb_mix > 0 else (0.0,)
    mixes = [(n, e) for n in nb_mixes for e in embed_mixes]
    mix_aucs: dict[tuple[float, float], dict[str, float]] = {m: {} for m in mixes}
    rows: dict[str, dict] = {}
    memo: dict = {}
    pretrained = _pretrained_logits(corpus.texts, log)
    fused: dict[float, dict[str, float]] = {w: {} for w in FUSION_WEIGHTS}
    for k, name in enumerate(targets, 1):
        t0 = time.time()
        parts = fit_on(corpus, feats, recipe, leave_out=(name,), memo=memo)
        held = corpus.held_out(name, split)
        y = corpus.labels[held]
        x_held = feats.sparse[held]
        z_plain = x_held @ parts.plain[0] + parts.plain[1]
        z_nb = x_held @ parts.nb[0] + parts.nb[1] if parts.nb is not None else z_plain
        z_dense = (
            feats.dense[held] @ parts.dense[0] + parts.dense[1]
            if parts.dense is not None and feats.dense is not None
            else np.zeros(len(held))
        )
        for n_mix, e_mix in mixes:
            z = (1 - e_mix) * ((1 - n_mix) * z_plain + n_mix * z_nb) + e_mix * z_dense
            mix_aucs[(n_mix, e_mix)][name] = roc_auc(y, z)
        own_mix = (recipe.nb_mix if recipe.nb_mix > 0 else 0.0,
                   recipe.embed_mix if feats.dense is not None else 0.0)
        z_own = _mixed(own_mix, z_plain, z_nb, z_dense)
        if own_mix not in mix_aucs:
            mix_aucs.setdefault(own_mix, {})[name] = roc_auc(y, z_own)
        auc = mix_aucs[own_mix][name]
        _add_fused(fused, name, y, z_own, None if pretrained is None else pretrained[held])
        extra = _with_mined(corpus, feats, parts, own_mix[0], name, split)
        rows[name] = _row(name, auc, y, parts, extra)
        log(f"[{k}/{len(targets)}] without {name}: ROC AUC {auc:.4f} on {len(held)} rows "
            f"({int(y.sum())} abusive), {time.time() - t0:.0f}s"
            + (f"; experts {', '.join(parts.info['chosen'])}" if parts.info else ""))
        if extra:
            log(f"  {name} against the mined negatives of its own test comments too: ROC AUC "
                f"{extra['roc_auc']:.4f} on {extra['rows']} rows")
    aucs = {k: v["roc_auc"] for k, v in rows.items()}
    return {
        "recipe": recipe.describe(),
        "sets": rows,
        "summary": summarise(aucs),
        "mixes": [
            {"nb_mix": n, "embed_mix": e, "sets": per, **summarise(per)}
            for (n, e), per in mix_aucs.items()
        ],
        "fused": [{"weight": w, "sets": p, **summarise(p)} for w, p in fused.items() if p],
        "seconds": round(time.time() - started, 1),
        "data_version": corpus.data_version(),
        "split": split,
    }


def _row(name: str, auc: float, y: np.ndarray, parts: Parts, extra: dict | None) -> dict:
    """One set's line of the table (EXTRA: its row against mined negatives, if any)."""
    return {
        "roc_auc": auc,
        "rows": int(len(y)),
        "positives": int(y.sum()),
        **({"experts": parts.info["chosen"]} if parts.info else {}),
        **({"with_mined_negatives": extra} if extra else {}),
        "measured_on": (
            "its test split + dev/test negatives of " + ", ".join(PAIRED_NEGATIVES)
            if name in POSITIVES_ONLY
            else "its test split"
        ),
    }


def _with_mined(
    corpus: Corpus, feats: Features, parts: Parts, nb_mix: float, name: str, split: str
) -> dict | None:
    """The extra row of a positives-only set: its test positives against the mined negatives
    of its own test comments and the paired sets' held-out negatives (n-gram parts only)."""
    rows = corpus.held_out_with_mined(name, split)
    if rows is None:
        return None
    coef, _dense, bias = parts.combine(nb_mix, 0.0)
    z = np.asarray(feats.sparse[rows] @ coef + bias).ravel()
    y = corpus.labels[rows]
    return {"roc_auc": roc_auc(y, z), "rows": int(len(rows)), "positives": int(y.sum())}


def print_table(result: dict, out: Output) -> None:
    w = out.write
    fused = result.get("fused") or []
    w("\nleave-one-out ROC AUC (trained without the set, measured on its test split)\n")
    w(f"  {'left out':24s} {'ROC AUC':>8s}" + "".join(f" {'fused ' + format(f['weight'], 'g'):>9s}"
                                                    for f in fused)
      + f" {'rows':>7s} {'abusive':>8s}\n")
    for name, r in result["sets"].items():
        mark = "  (news)" if name in NEWS_SETS else ""
        cols = "".join(f" {f['sets'].get(name, float('nan')):9.4f}" for f in fused)
        w(f"  {name:24s} {r['roc_auc']:8.4f}{cols} {r['rows']:7d} {r['positives']:8d}{mark}\n")
    for name, r in result["sets"].items():
        extra = r.get("with_mined_negatives")
        if extra:
            w(f"  {name + ' + mined':24s} {extra['roc_auc']:8.4f} {extra['rows']:7d} "
              f"{extra['positives']:8d}  (extra row: + span-free sentences of its test "
              "comments; not in the mean)\n")
    s = result["summary"]
    for label, key in (("mean", "mean"), ("news-weighted mean", "news_weighted_mean"),
                       ("worst", "worst")):
        cols = "".join(f" {f[key]:9.4f}" for f in fused)
        w(f"  {label:24s} {s[key]:8.4f}{cols}\n")
    w(f"  news sets x{NEWS_WEIGHT:g} in the weighted mean; worst set {s.get('worst_set', '-')}"
      + "".join(f", fused {f['weight']:g}: {f['worst_set']}" for f in fused) + "\n")
    if fused:
        w("  fused w: the trained logit + w x the pretrained model's (cuss-inspect, which has "
          "seen Wikipedia talk pages and davidson)\n")
    for name in POSITIVES_ONLY:
        if name in result["sets"]:
            w(f"  note: {name} has positives only; its test split is measured against the "
              f"dev and test negatives of {', '.join(PAIRED_NEGATIVES)} (never trained on)\n")
    if len(result.get("mixes", [])) > 1:
        w("\n  the same folds, other mixes of the fitted parts (n-gram NB share, sentence-vector "
          "share):\n")
        for m in result["mixes"]:
            w(f"    nb {m['nb_mix']:.2f} vectors {m['embed_mix']:.2f}: mean {m['mean']:.4f}  "
              f"news-weighted {m['news_weighted_mean']:.4f}  worst {m['worst']:.4f}\n")
    w(f"  done in {result['seconds']:.0f}s\n")
