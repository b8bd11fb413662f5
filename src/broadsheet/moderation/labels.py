"""The desk's decisions as a labelled CSV: `broadsheet moderation export-labels`.

The shipped abuse model learnt from public sets; the only labelled comments from a newsroom's
own readers are the ones its moderators decide. Exported in the normalised form of
``../shared/datasets`` (``text,label,article_title,article_summary,parent_text``), they can be
measured with ``moderation eval`` and added to training with ``moderation train --with``.

A comment's label is its latest human approve or reject. An approval is 0 for every task. A
rejection is 1 only when its reason is one the task is about (abuse: abusive or a personal
attack; relevance: off-topic): a comment rejected as spam or a legal risk says nothing about
whether it was abusive, so it is left out. Edited-then-approved comments are left out too: the
text that was judged is not the text that stood. No author name, email or address is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.core.spreadsheet import GuardedWriter
from broadsheet.moderation.ml.data import Output
from broadsheet.moderation.models import Decision
from broadsheet.moderation.reporting import HUMAN_ACTIONS
from broadsheet.moderation.services import AUTO_MODERATOR

TASK_REASONS = {
    "abuse": frozenset({"abusive", "personal-attack"}),
    "relevance": frozenset({"off-topic"}),
}
COLUMNS = ["text", "label", "article_title", "article_summary", "parent_text"]


@dataclass
class ExportSummary:
    path: Path | None
    task: str
    written: Counter = field(default_factory=Counter)  # label -> rows
    left_out: Counter = field(default_factory=Counter)  # why -> comments

    @property
    def rows(self) -> int:
        return sum(self.written.values())


def latest_human_decisions():
    """Each decided comment's latest human approve, reject or edit-then-approve."""
    decisions = (
        # A moderator whose account was deleted since still made a human decision.
        Decision.objects.filter(action__in=HUMAN_ACTIONS)
        .exclude(actor__isnull=True, actor_name=AUTO_MODERATOR)
        .select_related("reason", "comment__article", "comment__parent")
        .order_by("comment_id", "-created_at", "-id")
    )
    seen: set[int] = set()
    for decision in decisions.iterator(chunk_size=500):
        if decision.comment_id in seen:
            continue
        seen.add(decision.comment_id)
        yield decision


def label_for(decision: Decision, task: str) -> tuple[int | None, str]:
    """(label, why it was left out) of one decision for TASK."""
    if decision.action == Decision.Action.APPROVE:
        return 0, ""
    if decision.action == Decision.Action.EDIT_APPROVE:
        return None, "edited before approval"
    slug = decision.reason.slug if decision.reason else ""
    if slug in TASK_REASONS[task]:
        return 1, ""
    return None, f"rejected as {slug or 'no reason given'}"


def write_labels(handle: Output, task: str = "abuse", path: Path | None = None) -> ExportSummary:
    """Write the desk's labels for TASK as CSV to HANDLE."""
    if task not in TASK_REASONS:
        raise ValueError(f"unknown task {task!r}; choose {' or '.join(TASK_REASONS)}")
    summary = ExportSummary(path=path, task=task)
    # Moderators open this file in spreadsheets: comment text must not run as a formula.
    writer = GuardedWriter(handle)
    writer.writerow(COLUMNS)
    for decision in latest_human_decisions():
        label, why = label_for(decision, task)
        if label is None:
            summary.left_out[why] += 1
            continue
        comment = decision.comment
        article = comment.article
        # The text as the moderator read it, before any later edit.
        text = decision.text_before or comment.text
        parent = comment.parent.text if comment.parent_id else ""
        writer.writerow([text, label, article.headline, article.deck, parent])
        summary.written[label] += 1
    return summary


def export_labels(path: str | Path, task: str = "abuse") -> ExportSummary:
    """Write the desk's labels for TASK to PATH (replaced whole, never half-written)."""
    if task not in TASK_REASONS:
        raise ValueError(f"unknown task {task!r}; choose {' or '.join(TASK_REASONS)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        summary = write_labels(handle, task, path)
    partial.replace(path)
    return summary
