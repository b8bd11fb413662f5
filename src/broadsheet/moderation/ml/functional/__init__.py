"""Functional cases of the abuse judgement: short comments written by the team, each with the
outcome the house policy wants (held for a moderator, or published), grouped by what they
test (negation, counter-speech, identity terms, threats without a rude word...).

The file is data, not a test suite copied from elsewhere; ``broadsheet moderation eval
--functional`` prints the share judged as expected per category at the auto-mode threshold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.metrics import roc_auc

CASES_FILE = Path(__file__).resolve().parent / "cases.json"
OUTCOMES = ("hold", "pass")


class CasesError(ValueError):
    """A functional-cases file that cannot be used; the message names the case."""


@dataclass(frozen=True)
class Case:
    category: str
    text: str
    expected: str  # "hold" or "pass"

    @property
    def label(self) -> int:
        return 1 if self.expected == "hold" else 0


def load_cases(path: str | Path = CASES_FILE) -> list[Case]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CasesError(f"{path} is not valid JSON: {exc}") from None
    items = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise CasesError(f"{path} has no \"cases\" list")
    cases = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise CasesError(f"{path}: case {n} is not an object")
        text = str(item.get("text") or "").strip()
        category = str(item.get("category") or "").strip()
        expected = str(item.get("expected") or "").strip().lower()
        if not text or not category:
            raise CasesError(f"{path}: case {n} needs a text and a category")
        if expected not in OUTCOMES:
            raise CasesError(
                f"{path}: case {n} expects {item.get('expected')!r}; use \"hold\" or \"pass\""
            )
        cases.append(Case(category, text, expected))
    return cases


def judge(
    cases: Sequence[Case], score: Callable[[list[str]], np.ndarray], hold_at: float
) -> dict:
    """Pass rate per category (a case passes when held iff expected held) and overall."""
    scores = np.asarray(score([c.text for c in cases]), dtype=np.float64)
    held = scores >= hold_at
    ok = held == np.array([c.label == 1 for c in cases])
    per: dict[str, dict] = {}
    for cat in dict.fromkeys(c.category for c in cases):
        m = np.array([c.category == cat for c in cases])
        per[cat] = {
            "cases": int(m.sum()),
            "passed": int(ok[m].sum()),
            "pass_rate": float(ok[m].mean()),
            "held_expected_hold": int((held & m & np.array([c.label == 1 for c in cases])).sum()),
        }
    labels = [c.label for c in cases]
    return {
        "hold_at": hold_at,
        "categories": per,
        "pass_rate": float(ok.mean()),
        "roc_auc": roc_auc(labels, scores),
        "failures": [
            {"category": c.category, "text": c.text, "expected": c.expected, "score": float(s)}
            for c, s, good in zip(cases, scores, ok, strict=True)
            if not good
        ],
    }
