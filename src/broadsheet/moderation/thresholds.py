"""Default score thresholds of the automatic first reader (site settings may override them).

A score at or above "hold" waits for a human; at or above "reject" it is rejected outright.

abuse: "hold" comes from the slip target (settings.BROADSHEET_ABUSE_SLIP_TARGET, default 1 %):
the highest threshold whose auto-published comments held at most that share of abusive ones on
the abuse model's news-like dev pool (the slip table in ml/models/abuse-v1.json, written by
``broadsheet moderation train``). "reject" stays at 0.99: a calibrated score that high is rare
and the clear cases are left to the banned-word list.
spam: the spam scanner is rule-based; its components are scored against these two values
(see scanners/spam.py).
relevance: a calibrated off-topic probability; never auto-rejects (off-topic is a judgement
call for a moderator).
"""

import json
from functools import lru_cache
from pathlib import Path

ABUSE_SIDECAR = Path(__file__).resolve().parent / "ml" / "models" / "abuse-v1.json"
DEFAULT_SLIP_TARGET = 0.01
# Used when the model file carries no slip table (a model trained by an older script).
ABUSE_HOLD_FALLBACK = 0.3


def slip_target() -> float:
    try:
        from django.conf import settings

        return float(getattr(settings, "BROADSHEET_ABUSE_SLIP_TARGET", DEFAULT_SLIP_TARGET))
    except Exception:  # settings not configured: a script outside Django
        return DEFAULT_SLIP_TARGET


@lru_cache(maxsize=1)
def _slip_table() -> tuple[dict, ...]:
    try:
        sidecar = json.loads(ABUSE_SIDECAR.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(sidecar.get("auto_mode", {}).get("slip_table_dev", ()))


def abuse_hold_for(target: float) -> float:
    """The highest threshold whose dev slip stayed at or under TARGET."""
    table = _slip_table()
    if not table:
        return ABUSE_HOLD_FALLBACK
    ok = [row["t"] for row in table if row["slip"] <= target]
    return max(ok) if ok else min(row["t"] for row in table)


DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "abuse": {"hold": abuse_hold_for(slip_target()), "reject": 0.99},
    "spam": {"hold": 0.5, "reject": 0.9},
    # Relevance: the hold threshold holds about a tenth of on-topic comments on the dev split
    # (scripts/eval_relevance.py --calibrate; current figures in docs/moderation.md).
    "relevance": {"hold": 0.62},
}
