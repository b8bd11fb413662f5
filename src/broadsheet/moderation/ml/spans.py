"""Which words of a comment offend: the highlight the desk shows, and how it is measured.

The abuse model is linear, so each word's push on the score is known exactly; the words that
push hardest are the offending ones. How hard is "hard" is fitted on civil_toxic_spans (news
comments whose offending characters several workers marked) and measured there with the
character-level F1 of SemEval-2021 Task 5: per comment, F1 between the predicted and the gold
character offsets (1 when both are empty, 0 when only one is), averaged over comments.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.data import split_of
from broadsheet.moderation.ml.features import canonical
from broadsheet.moderation.ml.linear import LinearModel, Scored
from broadsheet.moderation.scanners.normalize import tokenize

SPANS_SET = "civil_toxic_spans"


@dataclass(frozen=True)
class HighlightRule:
    """A word is highlighted when it adds at least ``min_push`` to the logit and at least
    ``min_share`` of the strongest word's push; at most ``max_words`` of them."""

    min_push: float = 0.4
    min_share: float = 0.35
    max_words: int = 5


def span_f1(predicted: Iterable[int], gold: Iterable[int]) -> float:
    """SemEval-2021 Task 5 F1 of one comment, over character offsets."""
    p, g = set(predicted), set(gold)
    if not g:
        return 1.0 if not p else 0.0
    if not p:
        return 0.0
    tp = len(p & g)
    if not tp:
        return 0.0
    precision, recall = tp / len(p), tp / len(g)
    return 2 * precision * recall / (precision + recall)


def mean_span_f1(predicted: Sequence[Iterable[int]], gold: Sequence[Iterable[int]]) -> float:
    if not gold:
        return float("nan")
    return float(np.mean([span_f1(p, g) for p, g in zip(predicted, gold, strict=True)]))


def chars_of(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


def offending_spans(text: str, scored: Scored, rule: HighlightRule) -> list[tuple[int, int]]:
    """(start, end) in TEXT of the words that pushed the score up most.

    The model reads a cleaned copy (entities decoded, mentions dropped) whose offsets
    differ; re-tokenising the original and comparing canonical spellings finds the words."""
    push = scored.contributions
    if not len(push):
        return []
    words = [canonical(t) for t in scored.features.tokens]
    top = float(push.max())
    order = [int(i) for i in np.argsort(-push)[: rule.max_words]]
    hot = {
        words[i] for i in order if push[i] >= rule.min_push and push[i] >= rule.min_share * top
    }
    if not hot:
        return []
    return [(t.start, t.end) for t in tokenize(text) if canonical(t) in hot]


def load_shares(
    datasets_dir: str | Path, split: str = "test"
) -> list[tuple[str, dict[int, float]]]:
    """(text, {character offset: share of the comment's workers who marked it}) of the
    civil_toxic_spans comments in SPLIT; characters nobody marked are left out."""
    root = Path(datasets_dir) / SPANS_SET
    with open(root / "comments.csv", encoding="utf-8", newline="") as fh:
        texts = {r["comment_id"]: r["comment_text"] for r in csv.DictReader(fh)}
    workers: dict[str, set[str]] = defaultdict(set)
    comment_of: dict[str, str] = {}
    with open(root / "annotations.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            workers[r["comment_id"]].add(r["annotation"])
            comment_of[r["annotation"]] = r["comment_id"]
    marks: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    with open(root / "spans.csv", encoding="utf-8", newline="") as fh:
        seen: set[tuple[str, int]] = set()
        for r in csv.DictReader(fh):
            cid = comment_of.get(r["annotation"])
            if cid is None:
                continue
            for i in range(int(r["start"]), int(r["end"])):
                # One vote per worker and character, however many span types overlap it.
                if (r["annotation"], i) not in seen:
                    seen.add((r["annotation"], i))
                    marks[cid][i] += 1
    out = []
    for cid, text in texts.items():
        if split != "all" and split_of(text) != split:
            continue
        n_workers = len(workers.get(cid, ()))
        out.append((text, {i: n / n_workers for i, n in marks.get(cid, {}).items()
                           if i < len(text)}))
    return out


def load_gold(datasets_dir: str | Path, split: str = "test") -> list[tuple[str, set[int]]]:
    """(text, gold character offsets) of civil_toxic_spans comments in SPLIT.

    Gold = characters marked by at least half of the comment's workers, the majority rule of
    the SemEval task. Raises FileNotFoundError when the set's source files are missing."""
    return [(text, {i for i, share in shares.items() if share >= 0.5})
            for text, shares in load_shares(datasets_dir, split)]


def evaluate_spans(
    model: LinearModel, gold: list[tuple[str, set[int]]], rule: HighlightRule
) -> float:
    scored = model.explain([t for t, _ in gold])
    predicted = [
        chars_of(offending_spans(t, s, rule)) for (t, _), s in zip(gold, scored, strict=True)
    ]
    return mean_span_f1(predicted, [g for _, g in gold])


def fit_rule(model: LinearModel, gold: list[tuple[str, set[int]]]) -> tuple[HighlightRule, float]:
    """The rule with the best span F1 on GOLD (a dev split), over a small grid."""
    scored = model.explain([t for t, _ in gold])
    golds = [g for _, g in gold]
    best = (HighlightRule(), -1.0)
    for min_push in (0.1, 0.2, 0.3, 0.4, 0.6, 0.8):
        for min_share in (0.2, 0.35, 0.5, 0.7):
            for max_words in (2, 3, 5):
                rule = HighlightRule(min_push, min_share, max_words)
                pred = [
                    chars_of(offending_spans(t, s, rule))
                    for (t, _), s in zip(gold, scored, strict=True)
                ]
                f1 = mean_span_f1(pred, golds)
                if f1 > best[1]:
                    best = (rule, f1)
    return best
