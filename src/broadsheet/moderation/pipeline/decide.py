"""Judging and deciding: run the scanners over a claimed batch, apply the policy and the
commenters' trust, store the scans and decide the comments exactly once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import ModerationPolicy, SiteSettings
from broadsheet.moderation import embedder, policy, signals, trust
from broadsheet.moderation.models import Decision, RejectionReason
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
            locked = store.lock_still_pending(list(deciding), stamp)
            approvals = [row for row in locked if deciding[row.pk].outcome == "approved"]
            others = [row.pk for row in locked if deciding[row.pk].outcome != "approved"]
            # Model instances only where the one-by-one services need them (holds and
            # rejections); the rows are locked already.
            one_by_one = _comment_models(others)
            if approvals:
                try:
                    with transaction.atomic():
                        _approve_all(approvals, deciding)
                except Exception:
                    logger.exception("Approving comments %s together failed; one by one now",
                                     [c.pk for c in approvals])
                    one_by_one += _comment_models([row.pk for row in approvals])
            for comment in one_by_one:
                try:
                    # A savepoint each, so one that cannot be stored keeps the others.
                    with transaction.atomic():
                        _decide(comment, deciding[comment.pk])
                except Exception:
                    logger.exception("Deciding comment %s failed; it stays pending", comment.pk)
    return len(comments)


def _comment_models(comment_ids: list[int]) -> list[Comment]:
    """Model instances, with their article, for the services that decide one comment."""
    if not comment_ids:
        return []
    return list(Comment.objects.filter(pk__in=comment_ids).select_related("article"))


class _DecidedMeanwhile(Exception):
    """A row the batch meant to approve was no longer pending."""


def _approve_all(locked: list[LockedPending], scans: dict[int, _Scan]) -> None:
    """The auto-moderator's approvals of a batch in two statements, writing the same rows as
    ``services.comment_approve`` one comment at a time (whose ORM saves and savepoints cost
    more than scanning the comment). LOCKED are pending rows under this transaction's lock;
    SCANS their scans by comment id (the scores just stored on those rows)."""
    from broadsheet.articles.cache import article_comments_changed
    from broadsheet.moderation import services

    approved = Comment.Status.APPROVED
    decisions = [
        Decision(
            comment_id=comment.pk, actor=None, actor_name=services.AUTO_MODERATOR,
            action=Decision.Action.APPROVE, note=scans[comment.pk].approval_note,
            status_before=Comment.Status.PENDING, status_after=approved,
            text_before=comment.text, text_after=comment.text,
            scores=scans[comment.pk].scores or {},
            scanner_verdict=(
                scans[comment.pk].verdict.action if scans[comment.pk].trust_rule else ""
            ),
            trust_rule=scans[comment.pk].trust_rule,
        )
        for comment in locked
    ]
    if not store.approve_pending([c.pk for c in locked], timezone.now(), decisions):
        raise _DecidedMeanwhile
    for article_id in sorted({c.article_id for c in locked}):
        article_comments_changed(article_id)
    if signals.comment_approved.has_listeners():
        approved_ids = [c.pk for c in locked]
        transaction.on_commit(lambda: _announce_approvals(approved_ids))


def _announce_approvals(comment_ids: list[int]) -> None:
    """After the batch commits, tell the apps above (webhooks, reply emails) of each approval,
    as services.comment_approve does for one comment."""
    for comment in Comment.objects.filter(pk__in=comment_ids).select_related("article"):
        signals.comment_approved.send_robust(sender=Comment, comment=comment)


def _decide(locked: Comment, scan: _Scan) -> None:
    """Apply the policy's outcome to LOCKED, the pending row under select_for_update."""
    from broadsheet.moderation import services

    note = scan.verdict.explanation
    pending = Comment.Status.PENDING
    if locked.status != pending:
        return  # a moderator decided while the batch scanned: their decision stands
    if scan.outcome == "approved":
        services.comment_approve(
            comment=locked, actor=None, note=scan.approval_note,
            expected_status=pending, already_locked=True, trust_rule=scan.trust_rule,
            scanner_verdict=scan.verdict.action if scan.trust_rule else "",
        )
    elif scan.outcome == "rejected":
        reason = RejectionReason.objects.filter(slug=scan.verdict.reason_slug).first()
        if reason is None:
            reason, _ = RejectionReason.objects.get_or_create(
                slug="other", defaults={"label": "Other"}
            )
        services.comment_reject(
            comment=locked, actor=None, reason=reason, note=note, expected_status=pending,
            already_locked=True,
        )
    else:
        Decision.objects.create(
            comment=locked, actor=None, actor_name=services.AUTO_MODERATOR,
            action=Decision.Action.HOLD, note=note,
            status_before=locked.status, status_after=locked.status, text_before=locked.text,
            text_after=locked.text, scores=scan.scores,
            scanner_verdict=scan.verdict.action if scan.trust_rule else "",
            trust_rule=scan.trust_rule,
        )


