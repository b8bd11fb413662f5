"""The abuse judgement's measurements beyond one labelled file, for ``moderation eval``:
leave-one-set-out, functional cases, highlighted spans, the identity-term gap and the
``auto`` mode slip on news comments."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from broadsheet.moderation.ml.corpus import (
    COMMENT_SETS,
    PAIRED_NEGATIVES,
    POSITIVES_ONLY,
    Corpus,
    load_corpus,
)
from broadsheet.moderation.ml.data import Output
from broadsheet.moderation.ml.features import GROUPS, canonical, model_tokens
from broadsheet.moderation.ml.training import SHIPPED_RECIPE

IDENTITY_SET = "wiki_toxicity_idterm"


def datasets_dir(given: str | None, project_root: Path) -> Path:
    """The shared datasets folder: as given, or ../shared/datasets beside the project (or
    beside the folder of worktrees the project sits in)."""
    if given:
        path = Path(given)
        if not path.is_dir():
            raise ValueError(f"--datasets {given}: no such folder")
        return path
    for root in (project_root.parent, project_root.parent.parent):
        candidate = root / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    raise ValueError("no ../shared/datasets folder found; give --datasets DIR")


def _abuse_hold() -> float:
    from broadsheet.moderation.ml.evaluate import configured_thresholds

    return float(configured_thresholds()["abuse"]["hold"])


def scanner_scores(texts: list[str], log: Callable[[str], None] | None = None) -> np.ndarray:
    """The abuse scanner's final scores (model plus its threat phrases), as the desk sees."""
    from broadsheet.moderation.scanners.abuse import AbuseScanner
    from broadsheet.moderation.scanners.base import ScanContext

    scanner = AbuseScanner()
    out = []
    started = time.time()
    for lo in range(0, len(texts), 256):
        batch = [ScanContext(text=t) for t in texts[lo : lo + 256]]
        out += [r.score for r in scanner.scan_batch(batch)]
        if log and (len(out) % 2048 == 0 or len(out) == len(texts)):
            log(f"  scored {len(out)}/{len(texts)} comments ({time.time() - started:.0f}s)")
    return np.asarray(out, dtype=np.float64)


def slip_sets(corpus: Corpus) -> dict[str, tuple[np.ndarray, np.ndarray | None, str]]:
    """The news sets ``eval --slip`` measures: rows, weights (None: one per row) and how."""
    from broadsheet.moderation.ml.training import news_pool

    found: dict[str, tuple[np.ndarray, np.ndarray | None, str]] = {}
    if "fox_news" in corpus.sets:
        held = np.isin(corpus.splits, ("dev", "test"))
        rows = np.flatnonzero((corpus.names == "fox_news") & held)
        found["fox_news"] = (rows, None, "dev+test")
    for name in POSITIVES_ONLY:
        if name in corpus.sets:
            found[name] = (corpus.held_out(name), None,
                           "test + dev/test negatives of " + ", ".join(PAIRED_NEGATIVES))
    for split in ("dev", "test"):
        rows, w = news_pool(corpus, split)
        if len(rows):
            found[f"news-like pool ({split})"] = (rows, w, "weighted as the thresholds are")
    return found


def slip_report(corpus: Corpus, hold: float, target: float, log: Callable[[str], None]) -> dict:
    """``auto`` mode at HOLD on every slip set, and the hold each would need for TARGET."""
    from broadsheet.moderation.ml.slip import slip_at

    sets = slip_sets(corpus)
    wanted = np.unique(np.concatenate([rows for rows, _, _ in sets.values()]))
    log(f"scoring {len(wanted)} held-out comments with the shipped abuse scanner")
    scores = np.zeros(len(corpus.texts))
    scores[wanted] = scanner_scores([corpus.texts[i] for i in wanted], log)
    return {
        name: {**slip_at(scores[rows], corpus.labels[rows], hold, target, w), "measured_on": how}
        for name, (rows, w, how) in sets.items()
    }


def _print_slip(result: dict, hold: float, target: float, say: Callable[[str], None]) -> None:
    say(f"\nauto mode at the shipped hold {hold:.2f} (slip target {target:.1%}, "
        "BROADSHEET_ABUSE_SLIP_TARGET)")
    say(f"  {'set':26s} {'rows':>6s} {'abusive':>8s} {'published':>10s} {'abusive among':>14s}"
        f" {'needed hold':>12s} {'published then':>15s}")
    for name, r in result.items():
        none = r["needed_hold"] is None
        needed = "none" if none else f"{r['needed_hold']:.2f}"
        then = "-" if none else f"{r['published_share_at_needed']:.1%}"
        say(f"  {name:26s} {r['rows']:6d} {r['base_rate']:8.1%} {r['published_share']:10.1%}"
            f" {r['slip_rate']:14.2%} {needed:>12s} {then:>15s}"
            + ("" if r["meets_target"] else "  (misses)"))
    for name, r in result.items():
        say(f"  {name}: {r['measured_on']}")
    say("  (abusive: the set's abusive share; needed hold: the highest on a 0.01 grid keeping "
        "abusive among published at or under the target, none if even 0.01 does not)")


def mentions_identity(text: str) -> bool:
    return any(canonical(t) in GROUPS for t in model_tokens(text))


def identity_gap(texts: list[str], labels: np.ndarray, scores: np.ndarray, hold_at: float) -> dict:
    """Held share of the non-abusive comments that name an identity group, against those
    that do not (a false-positive gap: identity terms alone should hold nothing)."""
    clean = labels == 0
    named = np.array([mentions_identity(t) for t in texts])
    held = scores >= hold_at
    out: dict[str, Any] = {"hold_at": hold_at}
    for key, m in (("with_identity_term", clean & named), ("without", clean & ~named)):
        out[key] = {"rows": int(m.sum()), "held_share": float(held[m].mean()) if m.any() else None}
    a, b = out["with_identity_term"]["held_share"], out["without"]["held_share"]
    out["gap"] = None if a is None or b is None else a - b
    return out


def run_reports(
    kinds: list[str], options: dict, out: Output, err: Output, project_root: Path
) -> dict:
    as_json = options.get("json")
    report: dict = {}

    def say(line: str = "") -> None:
        if not as_json:
            out.write(line + "\n")

    def log(msg: str) -> None:
        err.write(msg + "\n")
        err.flush()

    if "leave_one_out" in kinds:
        from broadsheet.moderation.ml.loo import leave_one_out, print_table

        folder = datasets_dir(options.get("datasets"), project_root)
        sets = tuple(options["sets"]) if options.get("sets") else None
        result = leave_one_out(folder, options.get("recipe") or SHIPPED_RECIPE, sets=sets, log=log)
        report["leave_one_out"] = result
        if not as_json:
            print_table(result, out)
    if "functional" in kinds:
        from broadsheet.moderation.ml.functional import CASES_FILE, judge, load_cases

        cases = load_cases(options.get("cases") or CASES_FILE)
        result = judge(cases, lambda texts: scanner_scores(texts), _abuse_hold())
        report["functional"] = result
        say(f"\nfunctional cases ({len(cases)}), held at abuse score >= {result['hold_at']:.2f}")
        for cat, r in result["categories"].items():
            say(f"  {cat:26s} {r['pass_rate']:6.1%}  ({r['passed']}/{r['cases']})")
        say(f"  {'all':26s} {result['pass_rate']:6.1%}   ROC AUC {result['roc_auc']:.4f}")
    if "spans" in kinds:
        folder = datasets_dir(options.get("datasets"), project_root)
        report["spans"] = span_report(folder, log)
        _print_spans(report["spans"], say)
    if "identity_gap" in kinds:
        folder = datasets_dir(options.get("datasets"), project_root)
        corpus = load_corpus(folder, only=(IDENTITY_SET,))
        rows = np.flatnonzero(np.isin(corpus.splits, ("dev", "test")))
        texts = [corpus.texts[i] for i in rows]
        result = identity_gap(texts, corpus.labels[rows], scanner_scores(texts), _abuse_hold())
        report["identity_gap"] = result
        w, wo = result["with_identity_term"], result["without"]

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.1%}"

        say(f"\nidentity-term gap on {IDENTITY_SET} (dev+test, non-abusive comments held at "
            f">= {result['hold_at']:.2f}):")
        say(f"  naming an identity group: {pct(w['held_share'])} of {w['rows']}")
        say(f"  naming none:              {pct(wo['held_share'])} of {wo['rows']}")
        gap = result["gap"]
        say(f"  gap:                      {'n/a' if gap is None else f'{gap:+.1%}'}")
    if "slip" in kinds:
        from broadsheet.moderation.thresholds import slip_target

        folder = datasets_dir(options.get("datasets"), project_root)
        # The news sets and the comment sets whose dev/test rows make the news-like pool.
        corpus = load_corpus(folder, only=COMMENT_SETS + POSITIVES_ONLY, log=log)
        hold, target = _abuse_hold(), slip_target()
        result = slip_report(corpus, hold, target, log)
        report["slip"] = {"hold": hold, "target": target, "sets": result}
        _print_slip(result, hold, target, say)
    if as_json:
        out.write(json.dumps(_no_nan(report), sort_keys=True, default=float) + "\n")
    return report


def _no_nan(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_nan(v) for v in value]
    return value


def span_report(folder: Path, log: Callable[[str], None]) -> dict:
    """Character F1 of the desk's highlights on civil_toxic_spans' dev and test splits: the
    shipped tagger, and the push rule it replaced, for comparison."""
    from broadsheet.moderation.ml.spans import evaluate_spans, load_gold
    from broadsheet.moderation.ml.tagger import evaluate_tagger
    from broadsheet.moderation.scanners.abuse import get_model, get_tagger, highlight_rule

    model, tagger = get_model(), get_tagger()
    out: dict[str, Any] = {"tagger": None if tagger is None else tagger.meta.get("trained_at")}
    for split in ("dev", "test"):
        gold = load_gold(folder, split)
        log(f"highlighting {len(gold)} civil_toxic_spans {split} comments")
        rule = evaluate_spans(model, gold, highlight_rule(model))
        shipped = rule if tagger is None else evaluate_tagger(tagger, model, gold)
        out[split] = {"comments": len(gold), "char_f1": shipped, "push_rule_char_f1": rule}
    # The test split's figures at the top level, as before the dev split was reported.
    out.update(out["test"])
    return out


def _print_spans(r: dict, say: Callable[[str], None]) -> None:
    what = "the span tagger" if r["tagger"] else "the push rule (no tagger file)"
    say(f"\nhighlighted spans on civil_toxic_spans, {what} (character F1, SemEval-2021 Task 5):")
    say(f"  {'split':6s} {'comments':>8s} {'shipped':>8s} {'push rule':>9s}")
    for split in ("dev", "test"):
        row = r[split]
        say(f"  {split:6s} {row['comments']:8d} {_f(row['char_f1']):>8s} "
            f"{_f(row['push_rule_char_f1']):>9s}")


def _f(v: float) -> str:
    return "n/a" if v is None or math.isnan(v) else f"{v:.4f}"
