"""Measure the relevance scanner: ROC AUC of matched vs mismatched context, and speed.

    .venv/bin/python scripts/eval_relevance.py --datasets /work/shared/datasets \
        [--backends static,minilm] [--static-dir DIR] [--calibrate] [--no-speed] [--record]

Test sets (no on-topic labels exist, so mismatched context stands in for off-topic):
- fox_news, split BY ARTICLE with the datasets' hash rule applied to article_title: every
  comment on a test article against its own article (0) and each of the 9 other articles (1).
  "article" is the raw cosine similarity to headline+summary; "+overlap" adds the weighted
  exact-token overlap (the scanner's model without background); "+bg" is the scanner's model
  with the other 9 articles as background, as the pipeline passes the site's other recent
  articles; "art+parent" also gives replies their parent (for a mismatch, a parent from the
  other article's thread) and takes the more favourable of the two, as the scanner does;
  "art+bg+disc" adds the discussion (the nearest approved comments under the article against
  those under the background articles, by embedding and, where the pairs have them, by
  their words and the mean over the whole discussion: the scanner's model), taken from the
  whole file in its order: the comments before this one under its own article, every
  comment under any other;
- "fox 10-fold": every fox_news article in turn is held out, the background model (with and
  without the discussion; "disc+words" with the discussion's words and mean too) fitted on
  the other nine articles' comments and the held-out article's comments scored; the mean ROC
  AUC over the ten articles;
- wiki_context_cat rows with a parent, hash split on the text (test): own parent (0) vs three
  other parents (1); raw similarity, and "+overlap" = the scanner's parent model.
"scanner" rows score build_pairs_and_score pairs (one mismatch per comment, the file's other
articles as background) with the full scanner, i.e. calibrated and with the short-comment
damping.

--calibrate fits the logistic models on data no test number uses (fox_news comments on the
TRAIN articles, fox_news has no dev articles, and wiki_context_cat's dev split) and stores
them, with the hold threshold, in the static model's sidecar JSON.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.relevance.calibration import (
    DEFAULT_CALIBRATION,
    REPLY_MODELS,
    article_model,
    reply_model,
)
from broadsheet.moderation.relevance.evaluation import (
    add_discussions,
    build_pairs,
    build_pairs_and_score,
)
from broadsheet.moderation.relevance.evidence import BACKGROUND_TEMPERATURE
from broadsheet.moderation.scanners.base import BackgroundArticle, ScanContext
from broadsheet.moderation.scanners.relevance import RelevanceScanner

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

# Share of genuinely on-topic (own-context) comments we accept being held for a moderator.
TARGET_ON_TOPIC_HOLD_RATE = 0.10


def split_of(text: str) -> str:
    key = " ".join(text.lower().split())
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 80 else ("dev" if bucket < 90 else "test")


def roc_auc(labels: list[int], scores: list[float]) -> float:
    """Mann-Whitney AUC with average ranks for ties (no scikit-learn needed)."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


class CachedBackend:
    """Embeds each distinct text once: the pair tables below repeat texts many times."""

    def __init__(self, backend: emb.Backend) -> None:
        self.backend, self.name, self.dim = backend, backend.name, backend.dim
        self.memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if todo:
            self.memo.update(zip(todo, self.backend.embed(todo), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])


def fox_evidence(rows: list[dict], split: str, scanner: RelevanceScanner, seed: int = 0):
    """Every comment on a ``split`` article against each of the 10 articles (label 1 = not
    its own), the background being the other 9, as the pipeline passes the site's other
    recent articles. A reply also gets a parent: its own, or one from that article's thread."""
    titles = sorted({r["article_title"] for r in rows})
    summary = {r["article_title"]: r["article_summary"] for r in rows}
    articles = {t: BackgroundArticle(title=t, deck=summary[t]) for t in titles}
    thread = {t: [r["parent_text"] for r in rows if r["article_title"] == t and r["parent_text"]]
              for t in titles}
    rng = random.Random(seed)
    sub = [r for r in rows if split_of(r["article_title"]) == split]
    ctxs, labels, sources = [], [], []
    for r in sub:
        for t in titles:
            own = t == r["article_title"]
            parent = None
            if r["parent_text"].strip():
                parent = r["parent_text"] if own else rng.choice(thread[t])
            ctxs.append(ScanContext(
                text=r["text"], article_title=t, article_deck=summary[t], parent_text=parent,
                background_articles=tuple(b for k, b in articles.items() if k != t)))
            labels.append(int(not own))
            sources.append(r)
    # Discussions from the whole file: the comments before this one under its own article,
    # every comment under the others.
    add_discussions(ctxs, sources, rows, scanner.embedder)
    evidence = []
    for s in range(0, len(ctxs), 1024):
        evidence.extend(scanner.evidence(ctxs[s : s + 1024]))
    return sub, ctxs, labels, evidence


def fox_pairs(rows: list[dict], split: str, scanner: RelevanceScanner) -> dict:
    """AUCs of raw similarity and of the scanner's probabilities on ``fox_evidence``."""
    sub, ctxs, y, ev = fox_evidence(rows, split, scanner)
    raw_a = [-e.article_sim for e in ev]
    raw_p = [-max(e.article_sim, e.parent_sim if e.parent_sim is not None else -1.0) for e in ev]
    no_bg = [scanner.article_probability(replace(e, background_sim=None)) for e in ev]
    no_disc = [replace(e, discussion_sim=None) for e in ev]
    with_bg = [scanner.article_probability(e) for e in no_disc]
    with_disc = [scanner.article_probability(e) for e in ev]
    both = [scanner.score("x " * 99, e) for e in no_disc]  # no short-comment damping
    everything = [scanner.score("x " * 99, e) for e in ev]
    return {
        "n_comments": len(sub),
        "articles": sorted({r["article_title"] for r in sub}),
        "auc_article": roc_auc(y, raw_a),
        "auc_art_parent": roc_auc(y, raw_p),
        "auc_article_overlap": roc_auc(y, no_bg),
        "auc_article_background": roc_auc(y, with_bg),
        "auc_scanner_art_parent": roc_auc(y, both),
        "auc_article_discussion": roc_auc(y, with_disc),
        "auc_scanner_art_parent_discussion": roc_auc(y, everything),
        "share_with_discussion": float(np.mean(
            [e.discussion_sim is not None and e.background_discussion_sim is not None
             for e in ev])),
    }


def has_lexical(e) -> bool:
    chosen = article_model(e)
    return chosen is not None and chosen[0] == "article_discussion_lexical"


def lexical_features(ev) -> np.ndarray:
    """The scanner's "article_discussion_lexical" model inputs, one row per evidence."""
    return np.array([article_model(e)[1] for e in ev]).reshape(-1, 5)


def fox_leave_one_article_out(rows: list[dict], scanner: RelevanceScanner) -> dict:
    """Article evidence only: fit the background model with and without the discussion on
    nine articles' comments, score the tenth's; mean ROC AUC over the ten articles.

    The two test articles of the hash split are a small sample; this uses every article
    while never scoring a comment with coefficients fitted on its own article."""
    titles = sorted({r["article_title"] for r in rows})
    summary = {r["article_title"]: r["article_summary"] for r in rows}
    articles = {t: BackgroundArticle(title=t, deck=summary[t]) for t in titles}
    thread = {t: [r["parent_text"] for r in rows if r["article_title"] == t and r["parent_text"]]
              for t in titles}
    rng = random.Random(0)
    ctxs, labels, sources = [], [], []
    for r in rows:
        for t in titles:
            parent = None
            if r["parent_text"].strip():
                parent = r["parent_text"] if t == r["article_title"] else rng.choice(thread[t])
            ctxs.append(ScanContext(
                text=r["text"], article_title=t, article_deck=summary[t], parent_text=parent,
                background_articles=tuple(b for k, b in articles.items() if k != t)))
            labels.append(int(t != r["article_title"]))
            sources.append(r)
    add_discussions(ctxs, sources, rows, scanner.embedder)
    ev = []
    for s in range(0, len(ctxs), 1024):
        ev.extend(scanner.evidence(ctxs[s : s + 1024]))
    y = np.array(labels, dtype=float)
    own = np.array([r["article_title"] for r in sources])
    has = np.array([e.discussion_sim is not None and e.background_discussion_sim is not None
                    for e in ev])
    base = np.array([[e.article_sim - e.background_sim,
                      e.article_overlap - e.background_overlap] for e in ev])
    disc = np.column_stack([base, [e.discussion_sim - e.background_discussion_sim if h else 0.0
                                   for e, h in zip(ev, has, strict=True)]])
    lex = np.array([has_lexical(e) for e in ev])
    lexical = np.zeros((len(ev), 5))
    lexical[lex] = lexical_features([e for e, ok in zip(ev, lex, strict=True) if ok])
    # Replies with the "article_discussion_lexical" inputs get that model's reply variant.
    rep = np.array([c is not None and c[0] == "article_discussion_lexical_reply"
                    for c in (reply_model(e) for e in ev)])
    reply = np.zeros((len(ev), 7))
    reply[rep] = [reply_model(e)[1] for e, ok in zip(ev, rep, strict=True) if ok]
    per_article = {}
    for t in titles:
        fit, held = own != t, own == t
        weight = np.where(y == 1, 1.0, (y[fit] == 1).sum() / max((y[fit] == 0).sum(), 1))
        b_base = fit_logistic(base[fit], y[fit], weight[fit])
        b_disc = fit_logistic(disc[fit & has], y[fit & has], weight[fit & has])
        s_base = base[held] @ np.array(b_base[1:])
        s_disc = np.where(has[held], disc[held] @ np.array(b_disc[1:]), s_base)
        b_lex = fit_logistic(lexical[fit & lex], y[fit & lex], weight[fit & lex])
        s_lex = np.where(lex[held], lexical[held] @ np.array(b_lex[1:]), s_disc)
        b_rep = fit_logistic_monotone(reply[fit & rep], y[fit & rep], weight[fit & rep])
        # Intercepts count here: replies and the rest are scored by different models.
        s_lex_all = np.where(lex[held], b_lex[0] + s_lex, 0.0)
        s_rep = np.where(rep[held], b_rep[0] + reply[held] @ np.array(b_rep[1:]), s_lex_all)
        per_article[t] = (
            roc_auc(y[held], s_base), roc_auc(y[held], s_disc), roc_auc(y[held], s_lex),
            roc_auc(y[held & lex], s_lex_all[lex[held]]), roc_auc(y[held & lex], s_rep[lex[held]]),
        )
    return {
        "per_article": per_article,
        "auc_background": float(np.mean([a[0] for a in per_article.values()])),
        "auc_discussion": float(np.mean([a[1] for a in per_article.values()])),
        "auc_discussion_lexical": float(np.mean([a[2] for a in per_article.values()])),
        # On the pairs with the lexical discussion evidence only, without and with replies'
        # parents in one model.
        "auc_lexical_only": float(np.mean([a[3] for a in per_article.values()])),
        "auc_reply_joint": float(np.mean([a[4] for a in per_article.values()])),
        "articles_better": sum(a[1] > a[0] for a in per_article.values()),
        "articles_better_lexical": sum(a[2] > a[1] for a in per_article.values()),
        "articles_better_reply": sum(a[4] > a[3] for a in per_article.values()),
    }


def wiki_evidence(rows: list[dict], scanner: RelevanceScanner, seed: int = 0, k: int = 3):
    rng = random.Random(seed)
    ctxs, labels = [], []
    for i in range(len(rows)):
        ctxs.append(ScanContext(text=rows[i]["text"], parent_text=rows[i]["parent_text"]))
        labels.append(0)
        for _ in range(k):
            j = rng.randrange(len(rows))
            while rows[j]["parent_text"] == rows[i]["parent_text"]:
                j = rng.randrange(len(rows))
            ctxs.append(ScanContext(text=rows[i]["text"], parent_text=rows[j]["parent_text"]))
            labels.append(1)
    evidence = []
    for s in range(0, len(ctxs), 1024):
        evidence.extend(scanner.evidence(ctxs[s : s + 1024]))
    return ctxs, labels, evidence


def parent_pairs(rows: list[dict], scanner: RelevanceScanner) -> dict:
    """Own parent (0) vs three other parents (1): raw similarity, and the scanner's model."""
    _, y, ev = wiki_evidence(rows, scanner)
    return {
        "n_comments": len(rows),
        "auc_parent": roc_auc(y, [-e.parent_sim for e in ev]),
        "auc_parent_overlap": roc_auc(y, [scanner.parent_probability(e) for e in ev]),
    }


def speed(scanner: RelevanceScanner, fox: list[dict], wiki: list[dict]) -> dict:
    rows = (fox + wiki)[:2000]
    titles = sorted({r["article_title"] for r in fox})
    summary = {r["article_title"]: r["article_summary"] for r in fox}
    # As in production: article vectors were stored at publish time.
    stored = {t: emb.article_chunks(t, summary[t], "") for t in titles}
    vecs = {t: scanner.embedder.embed(c) for t, c in stored.items()}
    # The other articles as background, shared objects as the pipeline passes them.
    background = {t: BackgroundArticle(t, summary[t], vecs[t]) for t in titles}
    ctxs = []
    for i, r in enumerate(rows):
        t = titles[i % len(titles)]
        ctxs.append(ScanContext(text=r["text"], article_title=t, article_deck=summary[t],
                                article_embeddings=vecs[t], parent_text=r["parent_text"] or None,
                                background_articles=tuple(
                                    b for k, b in background.items() if k != t)))
    scanner.scan_batch(ctxs[:8])  # load models
    t0 = time.perf_counter()
    for s in range(0, len(ctxs), 256):
        scanner.scan_batch(ctxs[s : s + 256])
    batch_rate = len(ctxs) / (time.perf_counter() - t0)
    single = []
    for c in ctxs[:100]:
        t0 = time.perf_counter()
        scanner.scan_batch([c])
        single.append(time.perf_counter() - t0)
    return {"comments_per_s": batch_rate, "single_ms_median": 1000 * statistics.median(single)}


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None, steps: int = 100
) -> list[float]:
    """Logistic regression (intercept first) by Newton's method, no scikit-learn needed.

    ``weight`` balances the classes; a whisper of L2 keeps the fit finite when separable."""
    x = np.column_stack([np.ones(len(x)), np.asarray(x, dtype=np.float64).reshape(len(x), -1)])
    w_s = np.ones(len(x)) if weight is None else np.asarray(weight, dtype=np.float64)
    beta = np.zeros(x.shape[1])
    ridge = 1e-4 * w_s.sum() * np.eye(x.shape[1])
    ridge[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ beta)))
        g = x.T @ (w_s * (p - y)) + ridge @ beta
        h = (x * (w_s * p * (1 - p) + 1e-9)[:, None]).T @ x + ridge
        step = np.linalg.solve(h, g)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return [float(b) for b in beta]


def fit_logistic_monotone(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None
) -> list[float]:
    """``fit_logistic`` with no positive slope: every input is a closeness, and more of it
    must never make a comment look more off-topic. Correlated inputs can share their weight
    that way in a free fit (the replies' article and discussion gaps did), so an input whose
    slope comes out positive is left out (slope 0) and the rest refitted."""
    x = np.asarray(x, dtype=np.float64)
    kept = list(range(x.shape[1]))
    while True:
        beta = fit_logistic(x[:, kept], y, weight)
        slopes = beta[1:]
        worst = int(np.argmax(slopes))
        if slopes[worst] <= 0:
            break
        del kept[worst]
    out = [beta[0]] + [0.0] * x.shape[1]
    for j, b in zip(kept, slopes, strict=True):
        out[j + 1] = b
    return out


def calibrate(backend: emb.Backend, fox: list[dict], wiki: list[dict]) -> dict:
    """Fit the scanner's logistic models on data no test number uses."""
    fox_cal = [r for r in fox if split_of(r["article_title"]) == "train"]
    wiki_dev = [r for r in wiki if split_of(r["text"]) == "dev"]
    probe = RelevanceScanner(embedder=backend, calibration=dict(DEFAULT_CALIBRATION))
    out: dict = {}
    # Article: every train-article comment against all 10 articles, own pairs weighted up so
    # both classes weigh the same (the probabilities then assume even odds, as before).
    _, _, labels, ev = fox_evidence(fox, "train", probe)
    y = np.array(labels, dtype=float)
    weight = np.where(y == 1, 1.0, (y == 1).sum() / max((y == 0).sum(), 1))
    x_art = np.array([[e.article_sim, e.article_overlap] for e in ev])
    x_bg = np.array([[e.article_sim - e.background_sim, e.article_overlap - e.background_overlap]
                     for e in ev])
    out["article"] = fit_logistic(x_art, y, weight)
    out["article_background"] = fit_logistic(x_bg, y, weight)
    # With discussions: only the pairs that have one on both sides (early comments do not).
    has = np.array([e.discussion_sim is not None and e.background_discussion_sim is not None
                    for e in ev])
    x_disc = np.array([[e.article_sim - e.background_sim,
                        e.article_overlap - e.background_overlap,
                        e.discussion_sim - e.background_discussion_sim]
                       for e, ok in zip(ev, has, strict=True) if ok])
    out["article_discussion"] = fit_logistic(x_disc, y[has], weight[has])
    out["discussion_pairs"] = int(has.sum())
    lex = np.array([has_lexical(e) for e in ev])
    out["article_discussion_lexical"] = fit_logistic(
        lexical_features([e for e, ok in zip(ev, lex, strict=True) if ok]), y[lex], weight[lex])
    out["discussion_lexical_pairs"] = int(lex.sum())
    # Replies: each article model again with the parent's similarity and overlap, fitted on
    # the pairs that have a parent (own, or one from the candidate article's thread).
    chosen = [reply_model(e) for e in ev]
    for model in REPLY_MODELS:
        picked = [i for i, c in enumerate(chosen) if c is not None and c[0] == model]
        if len(picked) >= 100 and len(set(y[picked].tolist())) == 2:
            out[model] = fit_logistic_monotone(
                np.array([chosen[i][1] for i in picked]), y[picked], weight[picked])
            out[f"{model}_pairs"] = len(picked)
    out["article_pairs"] = len(labels)
    out["background_temperature"] = BACKGROUND_TEMPERATURE
    # Parent: own vs another thread's parent (build_pairs), fox train articles + wiki dev.
    par_only = [{"text": r["text"], "parent_text": r["parent_text"]}
                for r in fox_cal + wiki_dev if r["parent_text"].strip()]
    ctxs, labels = build_pairs(par_only)
    ev = probe.evidence(ctxs)
    out["parent"] = fit_logistic(np.array([[e.parent_sim, e.parent_overlap] for e in ev]),
                                 np.array(labels, dtype=float))
    out["parent_pairs"] = len(labels)
    # Hold threshold: the score that holds TARGET_ON_TOPIC_HOLD_RATE of own-context pairs.
    scanner = RelevanceScanner(embedder=backend, calibration={
        k: tuple(out[k]) for k in (*DEFAULT_CALIBRATION, *REPLY_MODELS) if k in out})
    labels, scores = build_pairs_and_score(fox_cal + wiki_dev, scanner=scanner, pool=fox)
    lab = np.array(labels)
    sc = np.array(scores)
    thr = float(np.quantile(sc[lab == 0], 1 - TARGET_ON_TOPIC_HOLD_RATE))
    out["hold_threshold"] = round(thr, 2)
    out["dev_on_topic_held"] = float((sc[lab == 0] >= out["hold_threshold"]).mean())
    out["dev_mismatched_held"] = float((sc[lab == 1] >= out["hold_threshold"]).mean())
    out["fitted_on"] = ("fox_news comments on train-split articles (article: each against all 10 "
                        "articles, background = the other 9, discussions from the whole file: "
                        "earlier comments of the own article, all of the others; parent pairs) "
                        "+ wiki_context_cat dev split (parent pairs)")
    return out


COLUMNS = [
    ("fox test article", lambda r: r["fox_test"]["auc_article"]),
    ("fox test article+overlap", lambda r: r["fox_test"]["auc_article_overlap"]),
    ("fox test article+bg", lambda r: r["fox_test"]["auc_article_background"]),
    ("fox test art+parent", lambda r: r["fox_test"]["auc_art_parent"]),
    ("fox test art+bg+parent", lambda r: r["fox_test"]["auc_scanner_art_parent"]),
    ("fox test art+bg+disc", lambda r: r["fox_test"]["auc_article_discussion"]),
    ("fox test all + discussion", lambda r: r["fox_test"]["auc_scanner_art_parent_discussion"]),
    ("fox 10-fold article+bg", lambda r: r["fox_loao"]["auc_background"]),
    ("fox 10-fold art+bg+disc", lambda r: r["fox_loao"]["auc_discussion"]),
    ("fox 10-fold disc+words", lambda r: r["fox_loao"]["auc_discussion_lexical"]),
    ("fox 10-fold words, same pairs", lambda r: r["fox_loao"]["auc_lexical_only"]),
    ("fox 10-fold words+parent", lambda r: r["fox_loao"]["auc_reply_joint"]),
    ("fox train article", lambda r: r["fox_train"]["auc_article"]),
    ("fox train article+bg", lambda r: r["fox_train"]["auc_article_background"]),
    ("wiki test parent", lambda r: r["wiki_test"]["auc_parent"]),
    ("wiki test parent+overlap", lambda r: r["wiki_test"]["auc_parent_overlap"]),
    ("scanner fox test", lambda r: r["scanner_fox_test"]),
    ("scanner wiki test", lambda r: r["scanner_wiki_test"]),
    ("comments/s (batch 256)", lambda r: r.get("comments_per_s", float("nan"))),
    ("single comment ms", lambda r: r.get("single_ms_median", float("nan"))),
]


def record(sidecar_path: Path, results: dict) -> None:
    """Store the measured AUCs and speeds per backend in the sidecar (other backends kept)."""
    meta = json.loads(sidecar_path.read_text())
    measured = meta.setdefault("measured", {})
    measured["script"] = "scripts/eval_relevance.py"
    measured["note"] = "ROC AUC, matched (0) vs mismatched (1) context; fox_news split by article"
    for res in results.values():
        # Figures not measured this time (--no-speed) keep their last recorded values.
        entry = measured.setdefault(res["backend"], {})
        entry.update({
            label: round(get(res), 4) for label, get in COLUMNS if not np.isnan(get(res))
        })
    sidecar_path.write_text(json.dumps(meta, indent=2) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default="/work/shared/datasets")
    ap.add_argument("--backends", default="static,minilm")
    ap.add_argument("--static-dir", default=str(emb.MODEL_DIR))
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--record", action="store_true",
                    help="store the measured AUCs and speeds in the static model's sidecar")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = ap.parse_args()

    root = Path(args.datasets)
    fox = read(root / "fox_news" / "fox_news.csv")
    wiki = [r for r in read(root / "wiki_context_cat" / "wiki_context_cat.csv")
            if r["parent_text"].strip()]
    wiki_test = [r for r in wiki if split_of(r["text"]) == "test"]
    fox_test = [r for r in fox if split_of(r["article_title"]) == "test"]
    sidecar_path = Path(args.static_dir) / "static.json"

    results = {}
    for name in args.backends.split(","):
        if name == "minilm":
            try:
                backend: emb.Backend = emb.MiniLMEmbedder()
            except ImportError as exc:
                print(f"minilm: skipped ({exc})")
                continue
        else:
            backend = emb.StaticEmbedder(args.static_dir)
        t0 = time.time()
        res: dict = {"backend": backend.name}
        cached = CachedBackend(backend)
        if args.calibrate:
            cal = calibrate(cached, fox, wiki)
            meta = json.loads(sidecar_path.read_text())
            meta.setdefault("calibration", {})[backend.name] = cal
            sidecar_path.write_text(json.dumps(meta, indent=2) + "\n")
            emb.sidecar.cache_clear()
            print(f"{name}: calibration {json.dumps(cal)}")
        meta = json.loads(sidecar_path.read_text())
        cal = meta.get("calibration", {}).get(backend.name)
        calibration = (
            {k: tuple(cal[k]) for k in (*DEFAULT_CALIBRATION, *REPLY_MODELS) if k in cal}
            if cal else None
        )
        scanner = RelevanceScanner(embedder=cached, calibration=calibration)
        res["fox_test"] = fox_pairs(fox, "test", scanner)
        res["fox_train"] = fox_pairs(fox, "train", scanner)
        res["fox_loao"] = fox_leave_one_article_out(fox, scanner)
        res["wiki_test"] = parent_pairs(wiki_test, scanner)
        labels, scores = build_pairs_and_score(fox_test, scanner=scanner, pool=fox)
        res["scanner_fox_test"] = roc_auc(labels, scores)
        labels, scores = build_pairs_and_score(wiki_test, scanner=scanner)
        res["scanner_wiki_test"] = roc_auc(labels, scores)
        if cal:
            thr = cal["hold_threshold"]
            lab, sc = np.array(labels), np.array(scores)
            res["wiki_test_held_on_topic"] = float((sc[lab == 0] >= thr).mean())
            res["wiki_test_held_mismatch"] = float((sc[lab == 1] >= thr).mean())
        if not args.no_speed:
            res.update(speed(RelevanceScanner(embedder=backend, calibration=calibration),
                             fox_test, wiki_test))
        res["seconds"] = time.time() - t0
        results[name] = res

    cols = COLUMNS
    names = list(results)
    print()
    print(f"{'ROC AUC / speed':<26}" + "".join(f"{results[n]['backend']:>22}" for n in names))
    for label, get in cols:
        print(f"{label:<26}" + "".join(f"{get(results[n]):>22.3f}" for n in names))
    if names:
        first = results[names[0]]
        loao = first["fox_loao"]
        print(f"\nfox 10-fold (leave one article out, article evidence): discussion better on "
              f"{loao['articles_better']} of {len(loao['per_article'])} articles; the "
              f"discussion's words and mean better still on {loao['articles_better_lexical']}")
        print(f"fox test articles: {first['fox_test']['articles']} "
              f"({first['fox_test']['n_comments']} comments); "
              f"wiki test: {first['wiki_test']['n_comments']} replies")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.record:
        record(sidecar_path, results)


if __name__ == "__main__":
    main()
