"""Training the span tagger (``ml/tagger.py``) on civil_toxic_spans, in one run.

    broadsheet moderation train-spans [--datasets DIR] [--out FILE] [--no-save]

Each token of the train split is labelled with the share of the comment's workers who marked
it (over its characters; a soft label, so the probability learns how many workers would agree,
which decides whether half of them did), described by ``tagger.token_features`` with the
shipped abuse model's pushes, and fitted with an L2 logistic regression for each C of a small
grid (every token twice: marked with weight = share, unmarked with weight = 1 - share).
For each C the two thresholds (token, comment) are chosen on the dev split by the mean
character F1; the best C on dev is kept, and the test split is measured once, at the end.
Writes ml/models/spans-v1.npz and its JSON sidecar: the data version (sha256 of the three
source files), the abuse model it read pushes from, and every figure measured. Needs
scikit-learn and scipy; the written tagger needs numpy only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.data import sha256_of
from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel
from broadsheet.moderation.ml.spans import (
    SPANS_SET,
    chars_of,
    evaluate_spans,
    load_gold,
    load_shares,
    mean_span_f1,
)
from broadsheet.moderation.ml.tagger import (
    DEFAULT_TAGGER,
    SpanTagger,
    TaggerConfig,
    decode,
    token_features,
    word_pushes,
)
from broadsheet.moderation.scanners.abuse import highlight_rule
from broadsheet.moderation.scanners.normalize import Token, tokenize

C_GRID = (0.01, 0.02, 0.05)
TOKEN_THRESHOLDS = tuple(round(x, 2) for x in np.arange(0.10, 0.51, 0.05))
COMMENT_THRESHOLDS = tuple(round(x, 3) for x in np.arange(0.20, 0.801, 0.025))
SOURCE_FILES = ("comments.csv", "annotations.csv", "spans.csv")


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Split:
    """One split's comments, tokens, gold characters and the token feature matrix; ``share``
    is each token's share of workers who marked it (mean over its characters)."""

    def __init__(self, shares: list[tuple[str, dict[int, float]]], model: LinearModel,
                 cfg: TaggerConfig) -> None:
        from scipy import sparse

        self.texts = [t for t, _ in shares]
        self.gold = [{i for i, v in sh.items() if v >= 0.5} for _, sh in shares]
        self.tokens: list[list[Token]] = [tokenize(t) for t in self.texts]
        rows: list[list[int]] = []
        labels: list[float] = []
        for text, (_, sh), toks, s in zip(self.texts, shares, self.tokens,
                                          model.explain(self.texts), strict=True):
            rows += token_features(text, toks, word_pushes(s), s.probability, cfg)
            labels += [sum(sh.get(i, 0.0) for i in range(t.start, t.end)) / (t.end - t.start)
                       for t in toks]
        counts = np.array([len(t) for t in self.tokens])
        self.bounds = np.concatenate([[0], np.cumsum(counts)])
        ptr = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
        flat = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(ptr[-1]))
        x = sparse.csr_matrix((np.ones(len(flat), np.float32), flat, ptr),
                              shape=(len(rows), cfg.n_buckets))
        x.sum_duplicates()
        x.data[:] = 1.0  # binary features, as the tagger scores them
        self.x = x
        self.share = np.asarray(labels, dtype=np.float64)

    def soft_fit_data(self) -> tuple[object, np.ndarray, np.ndarray]:
        """(features, labels, weights): each token once as marked (weight = its share) and
        once as unmarked (weight = 1 - share), rows of weight 0 left out."""
        from scipy import sparse

        y = np.r_[np.ones(len(self.share)), np.zeros(len(self.share))]
        w = np.r_[self.share, 1.0 - self.share]
        keep = np.flatnonzero(w > 0)
        return sparse.vstack([self.x, self.x]).tocsr()[keep], y[keep], w[keep]

    def f1(self, probs: np.ndarray, token_threshold: float, comment_threshold: float) -> float:
        predicted = [
            chars_of(decode(text, toks, probs[a:b], token_threshold, comment_threshold))
            for text, toks, a, b in zip(self.texts, self.tokens, self.bounds[:-1],
                                        self.bounds[1:], strict=True)
        ]
        return mean_span_f1(predicted, self.gold)


def best_thresholds(split: Split, probs: np.ndarray) -> tuple[float, float, float]:
    """(F1, token threshold, comment threshold) with the best mean F1 on SPLIT; of equals,
    the highest thresholds (the fewest highlights)."""
    best = (-1.0, 0.5, 0.5)
    for ct in reversed(COMMENT_THRESHOLDS):
        for tt in reversed(TOKEN_THRESHOLDS):
            if tt <= ct:
                f1 = split.f1(probs, tt, ct)
                if f1 > best[0]:
                    best = (f1, tt, ct)
    return best


def data_version(datasets: str | Path) -> str:
    root = Path(datasets) / SPANS_SET
    digest = hashlib.sha256()
    for name in SOURCE_FILES:
        digest.update(sha256_of(root / name).encode())
    return digest.hexdigest()


def train(
    datasets: str | Path, out: str | Path = DEFAULT_TAGGER,
    abuse_model: str | Path = DEFAULT_MODEL, c_grid: Sequence[float] = C_GRID,
    save: bool = True,
) -> dict:
    from sklearn.linear_model import LogisticRegression

    started = time.time()
    cfg = TaggerConfig()
    model = LinearModel.load(abuse_model)
    splits = {}
    for name in ("train", "dev", "test"):
        splits[name] = Split(load_shares(datasets, name), model, cfg)
        _log(f"{name}: {len(splits[name].texts)} comments, {len(splits[name].share)} tokens, "
             f"{(splits[name].share >= 0.5).mean():.1%} marked by half of the workers")
    train_, dev = splits["train"], splits["dev"]
    if not 0 < train_.share.mean() < 1:
        raise SystemExit(f"{SPANS_SET}: the train split needs marked and unmarked tokens")
    x, y, w = train_.soft_fit_data()
    grid = []
    best: tuple[float, SpanTagger] | None = None
    for c in c_grid:
        fit = LogisticRegression(C=c, solver="liblinear", max_iter=500).fit(x, y, sample_weight=w)
        tagger = SpanTagger(fit.coef_[0].astype(np.float32), float(fit.intercept_[0]), cfg)
        f1, tt, ct = best_thresholds(dev, _probs(tagger, dev))
        tagger.token_threshold, tagger.comment_threshold = tt, ct
        grid.append({"C": c, "dev_f1": f1, "token_threshold": tt, "comment_threshold": ct})
        _log(f"C={c}: dev F1 {f1:.4f} (token >= {tt}, comment >= {ct})")
        if best is None or f1 > best[0]:
            best = (f1, tagger)
    assert best is not None
    dev_f1, tagger = best
    test_f1 = splits["test"].f1(_probs(tagger, splits["test"]), tagger.token_threshold,
                                tagger.comment_threshold)
    rule = highlight_rule(model)
    old = {name: evaluate_spans(model, load_gold(datasets, name), rule) for name in ("dev", "test")}
    _log(f"tagger: dev {dev_f1:.4f}, test {test_f1:.4f}; the push rule: dev {old['dev']:.4f}, "
         f"test {old['test']:.4f}")
    summary = {
        "script": "broadsheet moderation train-spans (broadsheet.moderation.ml.span_training)",
        "data_version": data_version(datasets),
        "dataset": SPANS_SET,
        "abuse_model": {"file": Path(abuse_model).name,
                        "trained_at": model.meta.get("trained_at"),
                        "data_version": model.meta.get("data_version")},
        "features": cfg.to_dict(),
        "grid_dev": grid,
        "C": next(g["C"] for g in grid if g["dev_f1"] == dev_f1),
        "token_threshold": tagger.token_threshold,
        "comment_threshold": tagger.comment_threshold,
        "char_f1": {"dev": dev_f1, "test": test_f1},
        "push_rule_char_f1": old,
        "rows": {name: len(s.texts) for name, s in splits.items()},
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_seconds": round(time.time() - started, 1),
    }
    tagger.meta |= {k: summary[k] for k in ("data_version", "trained_at", "C")}
    if save:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tagger.save(out)
        out.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
        _log(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) and {out.with_suffix('.json').name}")
    return summary


def _probs(tagger: SpanTagger, split: Split) -> np.ndarray:
    # Through the shipped precision (float16 weights), so every figure is the file's.
    z = split.x @ tagger.weights.astype(np.float16).astype(np.float64) + tagger.bias
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def main(argv: list[str] | None = None, default_datasets: str | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", default=default_datasets, required=default_datasets is None)
    ap.add_argument("--out", default=str(DEFAULT_TAGGER))
    ap.add_argument("--abuse-model", default=str(DEFAULT_MODEL),
                    help="the abuse model whose per-word pushes the tagger reads")
    ap.add_argument("--C", type=float, nargs="+", default=list(C_GRID))
    ap.add_argument("--no-save", action="store_true")
    args = ap.parse_args(argv)
    if not (Path(args.datasets) / SPANS_SET).is_dir():
        raise SystemExit(f"--datasets {args.datasets}: no {SPANS_SET} folder in it")
    return train(args.datasets, args.out, args.abuse_model, args.C, save=not args.no_save)
