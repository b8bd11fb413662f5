"""The abuse judgement's measurements beyond one labelled file, for ``moderation eval``:
leave-one-set-out, functional cases, highlighted spans and the identity-term gap."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from broadsheet.moderation.ml.corpus import load_corpus
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


def scanner_scores(texts: list[str]) -> np.ndarray:
    """The abuse scanner's final scores (model plus its threat phrases), as the desk sees."""
    from broadsheet.moderation.scanners.abuse import AbuseScanner
    from broadsheet.moderation.scanners.base import ScanContext

    scanner = AbuseScanner()
    out = []
    for lo in range(0, len(texts), 256):
        batch = [ScanContext(text=t) for t in texts[lo : lo + 256]]
        out += [r.score for r in scanner.scan_batch(batch)]
    return np.asarray(out, dtype=np.float64)


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
        from broadsheet.moderation.ml.spans import evaluate_spans, load_gold
        from broadsheet.moderation.scanners.abuse import get_model, highlight_rule

        folder = datasets_dir(options.get("datasets"), project_root)
        gold = load_gold(folder, "test")
        log(f"highlighting {len(gold)} civil_toxic_spans test comments")
        model = get_model()
        f1 = evaluate_spans(model, gold, highlight_rule(model))
        report["spans"] = {"comments": len(gold), "char_f1": f1}
        say(f"\nhighlighted spans on civil_toxic_spans test ({len(gold)} comments): "
            f"character F1 {f1:.4f} (SemEval-2021 Task 5 measure)")
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
