"""Judging and deciding: run the scanners over a claimed batch, apply the policy and the
commenters' trust, store the scans and decide the comments exactly once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import transaction

from broadsheet.comments.models import Comment
from broadsheet.core.models import ModerationPolicy, SiteSettings
from broadsheet.moderation import embedder, policy, services, trust
from broadsheet.moderation.models import RejectionReason
from broadsheet.moderation.pipeline import context, store
from broadsheet.moderation.pipeline.store import ClaimedComment, LockedPending
from broadsheet.moderation.scanners.base import ScanContext, ScanResult

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger("broadsheet.moderation.pipeline")


def run_scanners(contexts: list[ScanContext]) -> list[list[ScanResult]]:
    """Every scanner's result for every context, skipping models after a banned word."""
    results: list[list[ScanResult]] = [[] for _ in contexts]
    wordlist = context._wordlist_scanner()
    for index, result in enumerate(wordlist.scan_batch(contexts)):
        results[index].append(result)
    remaining = [i for i, r in enumerate(results) if r[0].verdict != "reject"]
    if remaining:
        batch = [contexts[i] for i in remaining]
        for scanner in context._model_scanners():
            for index, result in zip(remaining, scanner.scan_batch(batch), strict=True):
                results[index].append(result)
    return results


def _summarise(results: list[ScanResult]) -> tuple[dict, dict, list[dict]]:
    scores = {r.scanner: round(float(r.score), 4) for r in results}
    verdicts = {r.scanner: r.verdict for r in results}
    reasons = []
    for result in results:
        for reason in result.reasons:
            entry = asdict(reason)
            entry["scanner"] = result.scanner
            entry["score"] = round(float(entry["score"]), 4)
            entry["spans"] = [[s["start"], s["end"]] for s in entry["spans"]]
            reasons.append(entry)
    return scores, verdicts, reasons


@dataclass
class _Scan:
    """One comment's scan, ready to store, and what the policy makes of it."""

    comment: ClaimedComment
    scores: dict
    reasons: list[dict]
    risk: float
    verdict: policy.Verdict
    outcome: str
    policy_name: str
    embedding: np.ndarray | None = None
    bag: embedder.Bag | None = None
    # The trust rule that changed the policy's outcome (moderation/trust.py), in words.
    trust_rule: str = ""

    @property
    def needs_decision(self) -> bool:
        """Whether the auto-moderator changes the comment's status or records a hold; in
        `premoderate` mode nothing but the scan itself is stored."""
        return bool(self.trust_rule) or self.outcome in ("approved", "rejected") or (
            self.verdict.action != "approve" and self.policy_name != ModerationPolicy.PREMODERATE
        )

    @property
    def approval_note(self) -> str:
        if self.trust_rule:
            return self.verdict.explanation  # what the scan held it for
        return "all scores under thresholds"


def _apply_trust(scans: list[_Scan], site: SiteSettings) -> None:
    """Let the commenters' records change the policy's outcomes (moderation/trust.py)."""
    found = trust.standings([scan.comment for scan in scans], site)
    for scan in scans:
        if scan.comment.pk not in found:
            continue
        rules, standing = found[scan.comment.pk]
        scan.outcome, scan.trust_rule = trust.apply(
            outcome=scan.outcome, verdict_action=scan.verdict.action,
            policy_name=scan.policy_name, rules=rules, standing=standing,
        )


def _judge(comment: ClaimedComment, results: list[ScanResult], site: SiteSettings,
           limits: dict) -> _Scan:
    scores, verdicts, reasons = _summarise(results)
    verdict = policy.scan_verdict(scores, verdicts, reasons, limits)
    policy_name = comment.section_policy or site.moderation_policy
    return _Scan(
        comment=comment, scores=scores, reasons=reasons,
        risk=max(scores.values()) if scores else 0.0, verdict=verdict,
        outcome=policy.outcome_for_policy(policy_name, verdict), policy_name=policy_name,
        embedding=next((r.embedding for r in results if r.embedding is not None), None),
        bag=next((r.bag for r in results if r.bag is not None), None),
    )


def scan_comments(comment_ids: Sequence[int]) -> int:
    """Scan and decide the given comments; returns how many this call decided or held."""
    if not comment_ids:
        return 0
    stamp = store.claim_update(comment_ids)
    try:
        # The claimed rows, read in the same query that finds which ones are ours.
        comments = store.claimed_rows(comment_ids, stamp)
        if not comments:
            return 0
        contexts = context._contexts(comments)
        all_results = run_scanners(contexts)
        site = SiteSettings.load()
        limits = policy.thresholds(site)
        scans = [
            _judge(comment, results, site, limits)
            for comment, results in zip(comments, all_results, strict=True)
        ]
        _apply_trust(scans, site)
    except Exception:
        logger.exception("Scanning comments %s failed; they stay pending for the sweep",
                         list(comment_ids))
        store.claimed(comment_ids, stamp).update(scan_state=Comment.ScanState.FAILED)
        return 0
    # One transaction for the batch (one turn of SQLite's write lock).
    with transaction.atomic():
        store.store_scans(scans, stamp)
        store.store_vectors(scans)
        deciding = {scan.comment.pk: scan for scan in scans if scan.needs_decision}
        if deciding:
            # Under the lock, only the comments still pending: a moderator's decision made
            # while we scanned stands.
            _decide_locked(store.lock_still_pending(list(deciding), stamp), deciding)
    return len(comments)


def _decide_locked(locked: list[LockedPending], scans: dict[int, _Scan]) -> None:
    """Apply each scan's outcome to LOCKED, the pending rows under this transaction's lock."""
    approvals = [
        _approval(row, scans[row.pk]) for row in locked if scans[row.pk].outcome == "approved"
    ]
    if approvals:
        _approve(approvals)
    # Model instances only where the services need them (holds and rejections).
    others = [row.pk for row in locked if scans[row.pk].outcome != "approved"]
    for comment in _comment_models(others):
        try:
            # A savepoint each, so one that cannot be stored keeps the others.
            with transaction.atomic():
                _decide(comment, scans[comment.pk])
        except Exception:
            logger.exception("Deciding comment %s failed; it stays pending", comment.pk)


def _approval(row: LockedPending, scan: _Scan) -> services.Approval:
    return services.Approval(
        comment_id=row.pk, article_id=row.article_id, text=row.text, scores=scan.scores or {},
        has_open_reports=row.open_report_count > 0, note=scan.approval_note,
        trust_rule=scan.trust_rule,
        scanner_verdict=scan.verdict.action if scan.trust_rule else "",
    )


def _approve(approvals: list[services.Approval]) -> None:
    """The batch's approvals in one write (services.comments_approve: a few statements, where
    one comment at a time cost more than scanning it); should that fail, one at a time, so a
    comment that cannot be stored keeps the others."""
    if _approve_pending(approvals) or len(approvals) == 1:
        return
    logger.warning("Approving comments %s together failed; one at a time now",
                   [approval.comment_id for approval in approvals])
    for approval in approvals:
        _approve_pending([approval])


def _approve_pending(approvals: list[services.Approval]) -> bool:
    """Approve APPROVALS in a savepoint; False (and nothing written) if that failed."""
    try:
        with transaction.atomic():
            services.comments_approve(
                approvals=approvals, actor=None, status_before=Comment.Status.PENDING
            )
    except services.DecidedMeanwhile:
        # The rows are locked, so no other decision should reach them; should one have all
        # the same, it stands.
        logger.warning("Comments %s were decided while the scan approved them",
                       [approval.comment_id for approval in approvals])
        return False
    except Exception:
        logger.exception("Approving comments %s failed; they stay pending",
                         [approval.comment_id for approval in approvals])
        return False
    return True


def _comment_models(comment_ids: list[int]) -> list[Comment]:
    """Model instances, with their article, for the services that decide one comment."""
    if not comment_ids:
        return []
    return list(Comment.objects.filter(pk__in=comment_ids).select_related("article"))


def _decide(locked: Comment, scan: _Scan) -> None:
    """Reject LOCKED, the pending row under select_for_update, or record that it is held."""
    if locked.status != Comment.Status.PENDING:
        return  # a moderator decided while the batch scanned: their decision stands
    scanner_verdict = scan.verdict.action if scan.trust_rule else ""
    if scan.outcome == "rejected":
        reason = RejectionReason.objects.filter(slug=scan.verdict.reason_slug).first()
        if reason is None:
            reason, _ = RejectionReason.objects.get_or_create(
                slug="other", defaults={"label": "Other"}
            )
        services.comment_reject(
            comment=locked, actor=None, reason=reason, note=scan.verdict.explanation,
            expected_status=Comment.Status.PENDING, already_locked=True,
        )
    else:
        services.comment_hold(
            comment=locked, note=scan.verdict.explanation, scores=scan.scores,
            scanner_verdict=scanner_verdict, trust_rule=scan.trust_rule,
        )
