"""How often moderators agreed with the scanner: `broadsheet moderation report`."""

from __future__ import annotations

from collections import Counter, defaultdict

from broadsheet.moderation.ml.data import Output
from broadsheet.moderation.models import Decision

HUMAN_ACTIONS = [Decision.Action.APPROVE, Decision.Action.REJECT, Decision.Action.EDIT_APPROVE]


def agreement_by_reason() -> dict[str, Counter]:
    """Per scanner reason: how many human decisions agreed with the scan's verdict."""
    table: dict[str, Counter] = defaultdict(Counter)
    decisions = (
        Decision.objects.filter(actor__isnull=False, action__in=HUMAN_ACTIONS)
        .exclude(scanner_verdict="")
        .select_related("comment")
        .only("action", "scanner_verdict", "comment__reasons")
    )
    for decision in decisions.iterator():
        human_rejects = decision.action == Decision.Action.REJECT
        scanner_flags = decision.scanner_verdict in ("hold", "reject")
        agreed = human_rejects == scanner_flags
        codes = {r["code"] for r in decision.comment.reasons or []} or {"(no reason)"}
        for code in codes:
            table[code]["decisions"] += 1
            table[code]["agreed"] += int(agreed)
        table["all"]["decisions"] += 1
        table["all"]["agreed"] += int(agreed)
    return table


def print_agreement_report(stdout: Output) -> None:
    table = agreement_by_reason()
    if not table:
        stdout.write("No human decisions on scanned comments yet: nothing to compare.\n")
        return
    stdout.write(f"{'reason':<18}{'decisions':>10}{'agreed':>8}{'rate':>8}\n")
    for code in sorted(table, key=lambda c: (c == "all", c)):
        row = table[code]
        rate = row["agreed"] / row["decisions"]
        stdout.write(f"{code:<18}{row['decisions']:>10}{row['agreed']:>8}{rate:>8.0%}\n")
    stdout.write(
        "A human agreed when they rejected what the scanner flagged (hold or reject) or "
        "approved what it passed.\n"
    )
