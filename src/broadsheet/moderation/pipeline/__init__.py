"""The automatic first reader: scan comments, store scores and reasons, apply the policy.

Scanners run in order — word lists, spam, abuse, relevance — and a clear violation found by
an early one (a banned word) skips the models. Claiming is a conditional UPDATE, so several
workers can run the same batch and each comment is still decided once.

By subject: ``context`` (process caches and what a scan reads), ``store`` (the hand-written
SQL), ``decide`` (judging and deciding), ``sweep`` (rescanning what was lost).
"""

from broadsheet.moderation.pipeline.context import (
    forget_checked_settings,
    forget_discussions,
    warm_up,
)
from broadsheet.moderation.pipeline.decide import run_scanners, scan_comments
from broadsheet.moderation.pipeline.store import ClaimedComment, claim, scan_rows
from broadsheet.moderation.pipeline.sweep import comments_needing_scan, queued_behind, sweep

__all__ = [
    "ClaimedComment",
    "claim",
    "comments_needing_scan",
    "forget_checked_settings",
    "forget_discussions",
    "queued_behind",
    "run_scanners",
    "scan_comments",
    "scan_rows",
    "sweep",
    "warm_up",
]
