"""Measure the relevance scanner: ROC AUC of matched vs mismatched context, and speed.

    PYTHONPATH=src python scripts/eval_relevance.py --datasets /work/shared/datasets \
        [--backends static,minilm] [--static-dir DIR] [--calibrate]

Test sets (no on-topic labels exist, so mismatched context stands in for off-topic):
- fox_news, split BY ARTICLE with the datasets' hash rule applied to article_title: every
  comment on a test article against its own article (0) and each of the 9 other articles (1);
  "article" compares with the headline+summary only, "art+parent" also gives replies their
  parent (for a mismatch, a parent from the other article's thread) and takes the more
  favourable similarity, as the scanner does;
- wiki_context_cat rows with a parent, hash split on the text (test): own parent (0) vs three
  other parents (1).
"scanner" rows score build_pairs_and_score pairs (one mismatch per comment) with the full
scanner, i.e. calibrated and with the short-comment damping.

--calibrate fits the logistic calibrations on data no test number uses (fox_news comments
on the TRAIN articles, fox_news has no dev articles, and wiki_context_cat's dev split) and
stores them, with the hold threshold, in the static model's sidecar JSON.
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
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from broadsheet.moderation import embedder as emb  # noqa: E402
from broadsheet.moderation.scanners.base import ScanContext  # noqa: E402
from broadsheet.moderation.scanners.relevance import (  # noqa: E402
    RelevanceScanner,
    build_pairs,
    build_pairs_and_score,
)

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


def fox_pairs(rows: list[dict], split: str, backend: emb.Backend, seed: int = 0) -> dict:
    """Raw-similarity AUCs, each comment against all 10 articles."""
    titles = sorted({r["article_title"] for r in rows})
    summary = {r["article_title"]: r["article_summary"] for r in rows}
    sub = [r for r in rows if split_of(r["article_title"]) == split]
    art = backend.embed([emb.article_chunks(t, summary[t], "")[0] for t in titles])
    com = backend.embed([r["text"] for r in sub])
    par = backend.embed([r["parent_text"] or "" for r in sub])
    own = np.array([titles.index(r["article_title"]) for r in sub])
    has_parent = np.array([bool(r["parent_text"].strip()) for r in sub])
    thread = {j: [i for i, r in enumerate(rows) if r["article_title"] == t and r["parent_text"]]
              for j, t in enumerate(titles)}
    other_par = backend.embed([r["parent_text"] or "" for r in rows])
    rng = random.Random(seed)
    sims = com @ art.T
    y_a, s_a, y_p, s_p = [], [], [], []
    for i in range(len(sub)):
        for j in range(len(titles)):
            label = int(j != own[i])
            y_a.append(label)
            s_a.append(-sims[i, j])
            if has_parent[i]:
                pv = par[i] if j == own[i] else other_par[rng.choice(thread[j])]
                best = max(sims[i, j], float(com[i] @ pv))
            else:
                best = sims[i, j]
            y_p.append(label)
            s_p.append(-best)
    return {
        "n_comments": len(sub),
        "articles": [t for t in titles if split_of(t) == split],
        "auc_article": roc_auc(y_a, s_a),
        "auc_art_parent": roc_auc(y_p, s_p),
    }


def parent_pairs(rows: list[dict], backend: emb.Backend, seed: int = 0, k: int = 3) -> dict:
    com = backend.embed([r["text"] for r in rows])
    par = backend.embed([r["parent_text"] for r in rows])
    rng = random.Random(seed)
    y, s = [], []
    for i in range(len(rows)):
        y.append(0)
        s.append(-float(com[i] @ par[i]))
        for _ in range(k):
            j = rng.randrange(len(rows))
            while rows[j]["parent_text"] == rows[i]["parent_text"]:
                j = rng.randrange(len(rows))
            y.append(1)
            s.append(-float(com[i] @ par[j]))
    return {"n_comments": len(rows), "auc_parent": roc_auc(y, s)}


def speed(scanner: RelevanceScanner, fox: list[dict], wiki: list[dict]) -> dict:
    rows = (fox + wiki)[:2000]
    titles = sorted({r["article_title"] for r in fox})
    summary = {r["article_title"]: r["article_summary"] for r in fox}
    # As in production: article vectors were stored at publish time.
    stored = {t: emb.article_chunks(t, summary[t], "") for t in titles}
    vecs = {t: scanner.embedder.embed(c) for t, c in stored.items()}
    ctxs = []
    for i, r in enumerate(rows):
        t = titles[i % len(titles)]
        ctxs.append(ScanContext(text=r["text"], article_title=t, article_deck=summary[t],
                                article_embeddings=vecs[t], parent_text=r["parent_text"] or None))
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


def fit_logistic(x: np.ndarray, y: np.ndarray, steps: int = 3000) -> tuple[float, float]:
    """One-feature logistic regression by Newton's method (no scikit-learn needed)."""
    a, b = 0.0, 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a + b * x)))
        g = np.array([np.sum(p - y), np.sum((p - y) * x)])
        w = p * (1 - p) + 1e-9
        h = np.array([[w.sum(), (w * x).sum()], [(w * x).sum(), (w * x * x).sum()]])
        step = np.linalg.solve(h + 1e-6 * np.eye(2), g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def calibrate(backend: emb.Backend, fox: list[dict], wiki: list[dict]) -> dict:
    fox_cal = [r for r in fox if split_of(r["article_title"]) == "train"]
    wiki_dev = [r for r in wiki if split_of(r["text"]) == "dev"]
    art_only = [{**r, "parent_text": ""} for r in fox_cal]
    par_only = [{"text": r["text"], "parent_text": r["parent_text"]}
                for r in fox_cal + wiki_dev if r["parent_text"].strip()]
    probe = RelevanceScanner(embedder=backend)
    out = {}
    for kind, rows in (("article", art_only), ("parent", par_only)):
        ctxs, labels = build_pairs(rows)
        sa, sp = probe.similarities(ctxs)
        sims = np.array([a if kind == "article" else p for a, p in zip(sa, sp, strict=True)])
        out[kind] = list(fit_logistic(sims, np.array(labels, dtype=float)))
        out[f"{kind}_pairs"] = len(labels)
    # Hold threshold: the score that holds TARGET_ON_TOPIC_HOLD_RATE of own-context pairs.
    scanner = RelevanceScanner(embedder=backend, calibration={
        "article": tuple(out["article"]), "parent": tuple(out["parent"])})
    labels, scores = build_pairs_and_score(fox_cal + wiki_dev, scanner=scanner)
    lab = np.array(labels)
    sc = np.array(scores)
    thr = float(np.quantile(sc[lab == 0], 1 - TARGET_ON_TOPIC_HOLD_RATE))
    out["hold_threshold"] = round(thr, 2)
    out["dev_on_topic_held"] = float((sc[lab == 0] >= out["hold_threshold"]).mean())
    out["dev_mismatched_held"] = float((sc[lab == 1] >= out["hold_threshold"]).mean())
    out["fitted_on"] = ("fox_news comments on train-split articles (article and parent pairs) "
                        "+ wiki_context_cat dev split (parent pairs)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--datasets", default="/work/shared/datasets")
    ap.add_argument("--backends", default="static,minilm")
    ap.add_argument("--static-dir", default=str(emb.MODEL_DIR))
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--record", action="store_true",
                    help="store the measured AUCs and speeds in the static model's sidecar")
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
        if args.calibrate:
            cal = calibrate(backend, fox, wiki)
            meta = json.loads(sidecar_path.read_text())
            meta.setdefault("calibration", {})[backend.name] = cal
            sidecar_path.write_text(json.dumps(meta, indent=2) + "\n")
            emb.sidecar.cache_clear()
            print(f"{name}: calibration {json.dumps(cal)}")
        meta = json.loads(sidecar_path.read_text())
        cal = meta.get("calibration", {}).get(backend.name)
        scanner = RelevanceScanner(
            embedder=backend,
            calibration={"article": tuple(cal["article"]), "parent": tuple(cal["parent"])}
            if cal else None,
        )
        res["fox_test"] = fox_pairs(fox, "test", backend)
        res["fox_train"] = fox_pairs(fox, "train", backend)
        res["wiki_test"] = parent_pairs(wiki_test, backend)
        labels, scores = build_pairs_and_score(fox_test, scanner=scanner)
        res["scanner_fox_test"] = roc_auc(labels, scores)
        labels, scores = build_pairs_and_score(wiki_test, scanner=scanner)
        res["scanner_wiki_test"] = roc_auc(labels, scores)
        if cal:
            thr = cal["hold_threshold"]
            lab, sc = np.array(labels), np.array(scores)
            res["wiki_test_held_on_topic"] = float((sc[lab == 0] >= thr).mean())
            res["wiki_test_held_mismatch"] = float((sc[lab == 1] >= thr).mean())
        res.update(speed(scanner, fox_test, wiki_test))
        res["seconds"] = time.time() - t0
        results[name] = res

    cols = [
        ("fox test article", lambda r: r["fox_test"]["auc_article"]),
        ("fox test art+parent", lambda r: r["fox_test"]["auc_art_parent"]),
        ("fox train article", lambda r: r["fox_train"]["auc_article"]),
        ("wiki test parent", lambda r: r["wiki_test"]["auc_parent"]),
        ("scanner fox test", lambda r: r["scanner_fox_test"]),
        ("scanner wiki test", lambda r: r["scanner_wiki_test"]),
        ("comments/s (batch 256)", lambda r: r["comments_per_s"]),
        ("single comment ms", lambda r: r["single_ms_median"]),
    ]
    names = list(results)
    print()
    print(f"{'ROC AUC / speed':<26}" + "".join(f"{results[n]['backend']:>22}" for n in names))
    for label, get in cols:
        print(f"{label:<26}" + "".join(f"{get(results[n]):>22.3f}" for n in names))
    if names:
        first = results[names[0]]
        print(f"\nfox test articles: {first['fox_test']['articles']} "
              f"({first['fox_test']['n_comments']} comments); "
              f"wiki test: {first['wiki_test']['n_comments']} replies")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if args.record:
        meta = json.loads(sidecar_path.read_text())
        meta["measured"] = {
            "script": "scripts/eval_relevance.py",
            "note": "ROC AUC, matched (0) vs mismatched (1) context; fox_news split by article",
            **{results[n]["backend"]: {label: round(get(results[n]), 4) for label, get in cols}
               for n in names},
        }
        sidecar_path.write_text(json.dumps(meta, indent=2) + "\n")


if __name__ == "__main__":
    main()
