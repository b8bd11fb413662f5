"""The automatic first reader: scan comments, store scores and reasons, apply the policy.

Scanners run in order — word lists, spam, abuse, relevance — and a clear violation found by
an early one (a banned word) skips the models. Claiming is a conditional UPDATE, so several
workers can run the same batch and each comment is still decided once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import ModerationPolicy, SiteSettings
from broadsheet.core.sql import insert_statement, insert_values
from broadsheet.moderation import embedder, policy, signals, trust
from broadsheet.moderation.models import (
    ArticleEmbedding,
    BlockedDomain,
    CommentVector,
    Decision,
    RejectionReason,
    WordListEntry,
)
from broadsheet.moderation.retention import retention_purge
from broadsheet.moderation.scanners.base import (
    BACKGROUND_ARTICLES,
    BackgroundArticle,
    ScanContext,
    ScanResult,
)

if TYPE_CHECKING:
    import numpy as np

logger = logging.getLogger(__name__)

# Scans take milliseconds; a claim older than this belongs to a worker that died.
CLAIM_TIMEOUT = timedelta(seconds=60)
MAX_SCAN_ATTEMPTS = 5
REPEAT_WINDOW = timedelta(days=7)
# The relevance scanner compares a comment with its own article AND these latest others.
# Each article's discussion (its newest approved comments' vectors) is re-read this often per
# process: a discussion changes slowly, and a minute-old one judges a comment as well.
DISCUSSION_REFRESH_SECONDS = 60.0


@lru_cache(maxsize=1)
def _model_scanners() -> tuple:
    # Loaded once per process: the models are the slow part of start-up.
    from broadsheet.moderation.scanners.abuse import AbuseScanner
    from broadsheet.moderation.scanners.relevance import RelevanceScanner
    from broadsheet.moderation.scanners.spam import SpamScanner

    return SpamScanner(), AbuseScanner(), RelevanceScanner()


def warm_up() -> None:
    """Load the models now, so the first comment a worker scans does not wait for them."""
    sample = ScanContext(text="Thank you for this report.", article_title="Council budget")
    for scanner in _model_scanners():
        scanner.scan_batch([sample])


# The editors' lists and the latest articles change rarely, but checking them costs queries
# on every batch, and batches are small when comments trickle in. Each is looked at again at
# most this often; a change made in this process (the admin, a test) applies at once.
SETTINGS_RECHECK_SECONDS = 5.0
_last_checked: dict[str, float] = {}


def _recheck_due(name: str) -> bool:
    now = time.monotonic()
    if now - _last_checked.get(name, float("-inf")) < SETTINGS_RECHECK_SECONDS:
        return False
    _last_checked[name] = now
    return True


def forget_checked_settings(**_kwargs) -> None:
    """Signal receiver: the word lists, blocked domains or articles changed here."""
    _last_checked.clear()
    forget_discussions()


_wordlist_cache: dict[str, object] = {}


def _wordlist_scanner():
    """The word-list scanner, rebuilt only when editors changed the list.

    One aggregate query tells whether anything was added, edited or deleted, so a list of
    thousands of entries is not read and compiled again for every batch.
    """
    from broadsheet.moderation.scanners.wordlist import WordListScanner

    if "scanner" in _wordlist_cache and not _recheck_due("wordlist"):
        return _wordlist_cache["scanner"]
    state = WordListEntry.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    key = (state["count"], state["changed"])
    if "scanner" not in _wordlist_cache or _wordlist_cache.get("key") != key:
        entries = list(WordListEntry.objects.values_list("phrase", "kind"))
        banned = [p for p, kind in entries if kind == WordListEntry.Kind.BANNED]
        suspect = [p for p, kind in entries if kind == WordListEntry.Kind.SUSPECT]
        _wordlist_cache["scanner"] = WordListScanner(banned=banned, suspect=suspect)
        _wordlist_cache["key"] = key
    return _wordlist_cache["scanner"]


_background_cache: dict[str, object] = {}


def _recent_articles() -> dict[int, BackgroundArticle]:
    """The latest published articles with their stored vectors, by id, for the relevance
    scanner's background; reloaded only when an article or an embedding changed."""
    from broadsheet.articles.models import Article

    if "articles" in _background_cache and not _recheck_due("background"):
        return _background_cache["articles"]  # type: ignore[return-value]
    published = Article.objects.published()
    state = published.aggregate(count=Count("id"), changed=Max("updated_at"))
    vectors = ArticleEmbedding.objects.aggregate(count=Count("id"), changed=Max("computed_at"))
    key = (state["count"], state["changed"], vectors["count"], vectors["changed"])
    key += (embedder.MODEL_NAME,)
    if _background_cache.get("key") != key:
        latest = list(
            published.order_by("-published_at", "-id").values_list("id", "headline", "deck")[
                :BACKGROUND_ARTICLES
            ]
        )
        stored = {
            e.article_id: e
            for e in ArticleEmbedding.objects.filter(article_id__in=[a[0] for a in latest])
        }
        articles = {}
        for article_id, headline, deck in latest:
            e = stored.get(article_id)
            vecs = None
            if e is not None and e.model_name == embedder.MODEL_NAME:
                vecs = embedder.from_bytes(bytes(e.vectors))
            articles[article_id] = BackgroundArticle(title=headline, deck=deck, embeddings=vecs)
        _background_cache["articles"] = articles
        _background_cache["key"] = key
    return _background_cache["articles"]  # type: ignore[return-value]


_blocked_cache: dict[str, frozenset[str]] = {}


def _blocked_domains() -> frozenset[str]:
    if "domains" not in _blocked_cache or _recheck_due("blocked"):
        _blocked_cache["domains"] = frozenset(
            BlockedDomain.objects.values_list("domain", flat=True)
        )
    return _blocked_cache["domains"]


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _in_list(count: int) -> str:
    return ", ".join(["%s"] * count)


def _db_datetime(value: datetime):
    return Comment._meta.get_field("submitted_at").get_db_prep_save(value, connection)


@lru_cache(maxsize=128)
def _claim_sql(vendor: str, count: int) -> str:
    return (
        f"UPDATE {_table(Comment)} SET scan_state = %s, scan_claimed_at = %s, "
        "scan_attempts = scan_attempts + 1 "
        f"WHERE id IN ({_in_list(count)}) AND status = %s "
        "AND (scan_state IN (%s, %s) OR (scan_state = %s AND scan_claimed_at < %s))"
    )


def _claim_update(comment_ids: Sequence[int]) -> datetime:
    """Mark the comments no other worker is scanning as ours; returns the claim's stamp.

    One conditional UPDATE for the whole batch, stamped with this call's time: the rows that
    carry the stamp afterwards are this worker's. On SQLite every separate write queues for
    the one write lock that posting comments needs too. Written as SQL: a batch is often a
    single comment, and building the statement through the ORM cost more than running it.
    """
    now = timezone.now()
    state = Comment.ScanState
    ids = list(comment_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor, len(ids)),
            [state.SCANNING.value, _db_datetime(now), *ids, Comment.Status.PENDING.value,
             state.UNSCANNED.value, state.FAILED.value, state.SCANNING.value,
             _db_datetime(now - CLAIM_TIMEOUT)],
        )
    return now


def _claimed(comment_ids: Sequence[int], stamp: datetime) -> QuerySet[Comment]:
    return Comment.objects.filter(
        pk__in=list(comment_ids), scan_state=Comment.ScanState.SCANNING, scan_claimed_at=stamp
    )


def claim(comment_ids: Sequence[int]) -> list[int]:
    """Take the comments no other worker is scanning; return the ids this worker now owns."""
    if not comment_ids:
        return []
    stamp = _claim_update(comment_ids)
    owned = set(_claimed(comment_ids, stamp).values_list("pk", flat=True))
    return [pk for pk in comment_ids if pk in owned]


def _article_vectors(
    article_ids: set[int], recent: dict[int, BackgroundArticle]
) -> dict[int, np.ndarray | None]:
    """Each article's stored chunk vectors, or None where there are none in this embedder's
    space (the scanner then embeds the headline and deck itself).

    Comments are nearly always on the latest articles, whose vectors the background already
    holds (re-read when an embedding changes); only older articles cost a query.
    """
    vectors = {aid: recent[aid].embeddings for aid in article_ids if aid in recent}
    older = article_ids - vectors.keys()
    if older:
        model_name = embedder.MODEL_NAME
        for stored in ArticleEmbedding.objects.filter(article_id__in=older):
            if stored.model_name == model_name:
                vectors[stored.article_id] = embedder.from_bytes(bytes(stored.vectors))
    return vectors


@dataclass(frozen=True)
class ClaimedComment:
    """What the scan reads of a comment, its article and its parent: one row, no model
    instances (building those, with the article's body, cost more than the scanners)."""

    pk: int
    article_id: int
    parent_id: int | None
    text: str
    text_fingerprint: str
    author_email: str
    submitted_at: datetime
    article_title: str
    article_deck: str
    section_policy: str
    parent_text: str | None


@lru_cache(maxsize=128)
def _rows_sql(vendor: str, count: int) -> str:
    from broadsheet.articles.models import Article, Section

    return (
        "SELECT c.id, c.article_id, c.parent_id, c.text, c.text_fingerprint, c.author_email, "
        "c.submitted_at, a.headline, a.deck, s.moderation_policy, p.text "
        f"FROM {_table(Comment)} c "
        f"INNER JOIN {_table(Article)} a ON a.id = c.article_id "
        f"INNER JOIN {_table(Section)} s ON s.id = a.section_id "
        f"LEFT OUTER JOIN {_table(Comment)} p ON p.id = c.parent_id "
        f"WHERE c.id IN ({_in_list(count)}) AND c.scan_state = %s AND c.scan_claimed_at = %s "
        "ORDER BY c.id"
    )


def _row(values: Sequence) -> ClaimedComment:
    values = list(values)
    # SQLite hands back text for a timestamp; PostgreSQL an aware datetime already.
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is not None:
        values[6] = convert(values[6], None, connection)
    return ClaimedComment(*values)


def _claimed_rows(comment_ids: Sequence[int], stamp: datetime) -> list[ClaimedComment]:
    """The comments this worker claimed with STAMP, with their article and parent."""
    ids = list(comment_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _rows_sql(connection.vendor, len(ids)),
            [*ids, Comment.ScanState.SCANNING.value, _db_datetime(stamp)],
        )
        return [_row(values) for values in cursor.fetchall()]


def scan_rows(comments: QuerySet[Comment]) -> list[ClaimedComment]:
    """COMMENTS as the scan reads them (for tests and tools; the scan itself reads the rows it
    claimed with one statement)."""
    fields = (
        "pk", "article_id", "parent_id", "text", "text_fingerprint", "author_email",
        "submitted_at", "article__headline", "article__deck",
        "article__section__moderation_policy", "parent__text",
    )
    return [ClaimedComment(*row) for row in comments.values_list(*fields)]


# An article's discussion: its comments' vectors and their token bags (None when a comment
# scanned before the bags were kept has none yet; the scanner then compares vectors alone).
Discussion = tuple["np.ndarray | None", "embedder.TokenBags | None"]
_discussion_cache: dict[int, tuple[float, Discussion]] = {}
# article id -> (the cached background article, its discussion, the two joined)
_discussed_background: dict[int, tuple[BackgroundArticle, Discussion, BackgroundArticle]] = {}


@lru_cache(maxsize=64)
def _discussion_sql(vendor: str, count: int) -> str:
    # One statement, one newest-first walk of the (article, comment) index per article.
    one = (
        "SELECT * FROM (SELECT v.article_id, v.comment_id, v.vector, v.token_bag "
        f"FROM {_table(CommentVector)} v INNER JOIN {_table(Comment)} c ON c.id = v.comment_id "
        "WHERE v.article_id = %s AND v.model_name = %s AND c.status = %s "
        "ORDER BY v.comment_id DESC LIMIT %s) AS d"
    )
    return " UNION ALL ".join([one] * count)


def _discussions(article_ids: set[int]) -> dict[int, Discussion]:
    """The vectors and token bags of each article's newest approved comments
    (``DISCUSSION_SIZE``), newest first, from a per-process cache refreshed every
    ``DISCUSSION_REFRESH_SECONDS``."""
    import numpy as np

    from broadsheet.moderation.scanners.relevance import DISCUSSION_SIZE

    now = time.monotonic()
    stale = sorted(
        aid for aid in article_ids
        if aid not in _discussion_cache
        or now - _discussion_cache[aid][0] > DISCUSSION_REFRESH_SECONDS
    )
    if stale:
        model_name = embedder.MODEL_NAME
        rows: dict[int, list[tuple[int, np.ndarray, bytes | None]]] = {aid: [] for aid in stale}
        params: list = []
        for aid in stale:
            params += [aid, model_name, Comment.Status.APPROVED.value, DISCUSSION_SIZE]
        with connection.cursor() as cursor:
            cursor.execute(_discussion_sql(connection.vendor, len(stale)), params)
            for article_id, comment_id, blob, bag in cursor.fetchall():
                rows[article_id].append((comment_id, embedder.from_bytes(bytes(blob)), bag))
        for aid, found in rows.items():
            # Newest first whatever order the union returned: the scanner compares
            # discussions by their newest comments.
            found.sort(key=lambda row: row[0], reverse=True)
            vectors = [vector for _, vector, _ in found]
            bags = None
            if found and all(bag is not None for _, _, bag in found):
                bags = embedder.TokenBags([embedder.bag_from_bytes(bag) for _, _, bag in found])
            _discussion_cache[aid] = (now, (np.concatenate(vectors) if vectors else None, bags))
        # An article no comment came for in a while gives its memory back (up to 200 vectors).
        for aid in [a for a, (at, _) in _discussion_cache.items()
                    if now - at > 2 * DISCUSSION_REFRESH_SECONDS and a not in article_ids]:
            del _discussion_cache[aid]
    return {aid: _discussion_cache[aid][1] for aid in article_ids}


def _with_discussions(recent: dict[int, BackgroundArticle]) -> dict[int, BackgroundArticle]:
    """The background articles carrying their discussions: the same objects as long as
    neither changed, so the scanner keeps its stacked copy."""
    discussions = _discussions(set(recent))
    out = {}
    for aid, article in recent.items():
        discussion = discussions[aid]
        known = _discussed_background.get(aid)
        if known is None or known[0] is not article or known[1] is not discussion:
            vectors, bags = discussion
            known = (
                article, discussion,
                replace(article, discussion=vectors, discussion_bags=bags),
            )
            _discussed_background[aid] = known
        out[aid] = known[2]
    for aid in set(_discussed_background) - set(recent):
        del _discussed_background[aid]
    return out


def forget_discussions() -> None:
    """Drop the cached discussions (tests; a process that must see a decision at once)."""
    _discussion_cache.clear()
    _discussed_background.clear()


def _contexts(comments: list[ClaimedComment]) -> list[ScanContext]:
    blocked = _blocked_domains()
    repeat_counts = _repeat_counts(comments, timezone.now() - REPEAT_WINDOW)
    recent = _with_discussions(_recent_articles())
    article_vectors = _article_vectors({c.article_id for c in comments}, recent)
    discussions = _discussions({c.article_id for c in comments})
    backgrounds: dict[int, tuple[BackgroundArticle, ...]] = {}
    contexts = []
    for comment in comments:
        vectors = article_vectors.get(comment.article_id)
        # The same text by anyone, or on other articles, is what repeat spam looks like.
        repeats = repeat_counts[comment.pk]
        if comment.article_id not in backgrounds:
            backgrounds[comment.article_id] = tuple(
                b for aid, b in recent.items() if aid != comment.article_id
            )
        contexts.append(
            ScanContext(
                text=comment.text,
                article_id=comment.article_id,
                article_title=comment.article_title,
                article_deck=comment.article_deck,
                article_embeddings=vectors,
                article_discussion=discussions[comment.article_id][0],
                article_discussion_bags=discussions[comment.article_id][1],
                parent_text=comment.parent_text if comment.parent_id else None,
                background_articles=backgrounds[comment.article_id],
                author_email=comment.author_email,
                repeat_count=repeats,
                blocked_domains=blocked,
            )
        )
    return contexts


@lru_cache(maxsize=128)
def _repeats_sql(vendor: str, count: int) -> str:
    return (
        f"SELECT text_fingerprint, COUNT(*) FROM {_table(Comment)} "
        f"WHERE text_fingerprint IN ({_in_list(count)}) AND submitted_at >= %s "
        "GROUP BY text_fingerprint"
    )


def _repeat_counts(comments: list[ClaimedComment], since) -> dict[int, int]:
    """How often each comment's text was posted in the window by anyone, the comment excluded."""
    from broadsheet.comments.services import text_fingerprint

    keys = {c.pk: c.text_fingerprint or text_fingerprint(c.text) for c in comments}
    wanted = sorted(set(keys.values()))
    with connection.cursor() as cursor:
        cursor.execute(_repeats_sql(connection.vendor, len(wanted)),
                       [*wanted, _db_datetime(since)])
        posted = dict(cursor.fetchall())
    return {
        c.pk: max(0, posted.get(keys[c.pk], 0) - (1 if c.submitted_at >= since else 0))
        for c in comments
    }


def run_scanners(contexts: list[ScanContext]) -> list[list[ScanResult]]:
    """Every scanner's result for every context, skipping models after a banned word."""
    results: list[list[ScanResult]] = [[] for _ in contexts]
    wordlist = _wordlist_scanner()
    for index, result in enumerate(wordlist.scan_batch(contexts)):
        results[index].append(result)
    remaining = [i for i, r in enumerate(results) if r[0].verdict != "reject"]
    if remaining:
        batch = [contexts[i] for i in remaining]
        for scanner in _model_scanners():
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
    found = trust.standings([scan.comment.pk for scan in scans], site)
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


@lru_cache(maxsize=4)
def _store_sql(vendor: str) -> str:
    return (
        f"UPDATE {_table(Comment)} SET scores = %s, reasons = %s, risk = %s, "
        "scan_verdict = %s, scan_state = %s, scanned_at = %s "
        "WHERE id = %s AND scan_state = %s AND scan_claimed_at = %s"
    )


def _store_scans(scans: list[_Scan], stamp: datetime) -> None:
    """Store every scan in one statement run once per comment, only on rows this call still
    owns (a worker that outlived its claim finds its rows taken and stores nothing)."""
    field = Comment._meta.get_field
    scores_field, reasons_field = field("scores"), field("reasons")
    stamp_value = field("scan_claimed_at").get_db_prep_save(stamp, connection)
    scanned_at = field("scanned_at").get_db_prep_save(timezone.now(), connection)
    params = [
        (
            scores_field.get_db_prep_save(scan.scores, connection),
            reasons_field.get_db_prep_save(scan.reasons, connection),
            scan.risk, scan.verdict.action, Comment.ScanState.SCANNED.value, scanned_at,
            scan.comment.pk, Comment.ScanState.SCANNING.value, stamp_value,
        )
        for scan in scans
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_store_sql(connection.vendor), params)


@lru_cache(maxsize=4)
def _store_vectors_sql(vendor: str) -> str:
    # Both SQLite and PostgreSQL take this upsert; a rescan replaces the row.
    return (
        f"INSERT INTO {_table(CommentVector)} "
        "(comment_id, article_id, model_name, vector, token_bag) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (comment_id) DO UPDATE SET "
        "article_id = excluded.article_id, model_name = excluded.model_name, "
        "vector = excluded.vector, token_bag = excluded.token_bag"
    )


def _store_vectors(scans: list[_Scan]) -> None:
    """Keep each comment's embedding for the discussions it may join: one statement run once
    per comment (Django's bulk_create cost more than the scan's other writes)."""
    model_name = embedder.MODEL_NAME
    params = [
        (
            scan.comment.pk, scan.comment.article_id, model_name,
            embedder.to_bytes(scan.embedding),
            embedder.bag_to_bytes(scan.bag) if scan.bag is not None else None,
        )
        for scan in scans
        if scan.embedding is not None
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_store_vectors_sql(connection.vendor), params)


def scan_comments(comment_ids: Sequence[int]) -> int:
    """Scan and decide the given comments; returns how many this call decided or held."""
    if not comment_ids:
        return 0
    stamp = _claim_update(comment_ids)
    try:
        # The claimed rows, read in the same query that finds which ones are ours.
        comments = _claimed_rows(comment_ids, stamp)
        if not comments:
            return 0
        contexts = _contexts(comments)
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
        _claimed(comment_ids, stamp).update(scan_state=Comment.ScanState.FAILED)
        return 0
    # One transaction for the batch (one turn of SQLite's write lock).
    with transaction.atomic():
        _store_scans(scans, stamp)
        _store_vectors(scans)
        deciding = {scan.comment.pk: scan for scan in scans if scan.needs_decision}
        if deciding:
            # Under the lock, only the comments still pending: a moderator's decision made
            # while we scanned stands.
            locked = _lock_still_pending(list(deciding), stamp)
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


@dataclass(frozen=True)
class LockedPending:
    """A comment row still pending under this scan's claim, locked for the decision."""

    pk: int
    article_id: int
    text: str


@lru_cache(maxsize=128)
def _lock_sql(vendor: str, count: int) -> str:
    # SQLite has one writer and this transaction holds it already (the scans are stored);
    # PostgreSQL locks the rows, so a moderator's decision waits or has already won.
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    return (
        f"SELECT id, article_id, text FROM {_table(Comment)} "
        f"WHERE id IN ({_in_list(count)}) AND status = %s AND scan_state = %s "
        f"AND scan_claimed_at = %s ORDER BY id{lock}"
    )


def _lock_still_pending(comment_ids: list[int], stamp: datetime) -> list[LockedPending]:
    """The rows among COMMENT_IDS still pending and scanned under STAMP, locked: a decision
    a moderator made while we scanned stands. Three columns in one statement: the ORM's
    query with the article joined cost a fifth of a posted comment's time."""
    with connection.cursor() as cursor:
        cursor.execute(
            _lock_sql(connection.vendor, len(comment_ids)),
            [*comment_ids, Comment.Status.PENDING.value, Comment.ScanState.SCANNED.value,
             _db_datetime(stamp)],
        )
        return [LockedPending(*row) for row in cursor.fetchall()]


def _comment_models(comment_ids: list[int]) -> list[Comment]:
    """Model instances, with their article, for the services that decide one comment."""
    if not comment_ids:
        return []
    return list(Comment.objects.filter(pk__in=comment_ids).select_related("article"))


@lru_cache(maxsize=128)
def _approve_sql(count: int) -> str:
    return (
        f"UPDATE {_table(Comment)} SET status = %s, decided_at = %s, "
        f"rejection_reason_id = NULL WHERE id IN ({_in_list(count)}) AND status = %s"
    )


class _DecidedMeanwhile(Exception):
    """A row the batch meant to approve was no longer pending."""


def _approve_all(locked: list[LockedPending], scans: dict[int, _Scan]) -> None:
    """The auto-moderator's approvals of a batch in two statements, writing the same rows as
    ``services.comment_approve`` one comment at a time (whose ORM saves and savepoints cost
    more than scanning the comment). LOCKED are pending rows under this transaction's lock;
    SCANS their scans by comment id (the scores just stored on those rows)."""
    from broadsheet.articles.cache import article_comments_changed
    from broadsheet.moderation import services

    now = timezone.now()
    approved = Comment.Status.APPROVED
    sql, fields = insert_statement(Decision, connection.vendor)
    rows = []
    for comment in locked:
        scan = scans[comment.pk]
        decision = Decision(
            comment_id=comment.pk, actor=None, actor_name=services.AUTO_MODERATOR,
            action=Decision.Action.APPROVE, note=scan.approval_note,
            status_before=Comment.Status.PENDING, status_after=approved,
            text_before=comment.text, text_after=comment.text,
            scores=scan.scores or {},
            scanner_verdict=scan.verdict.action if scan.trust_rule else "",
            trust_rule=scan.trust_rule,
        )
        rows.append(insert_values(decision, fields))
    decided_at = Comment._meta.get_field("decided_at").get_db_prep_save(now, connection)
    with connection.cursor() as cursor:
        # Conditional, like every decision: the rows are locked, but should one have been
        # decided all the same, the batch rolls back and goes one by one.
        cursor.execute(
            _approve_sql(len(locked)),
            [approved.value, decided_at, *(c.pk for c in locked), Comment.Status.PENDING.value],
        )
        if cursor.rowcount != len(locked):
            raise _DecidedMeanwhile
        cursor.executemany(sql, rows)
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


def queued_behind(comment_ids: Sequence[int], limit: int) -> list[int]:
    """Other comments waiting for their first scan, oldest first, to join a worker's batch.

    A Celery task is queued per comment; the first task to run takes the comments queued
    behind it, and their own tasks then find them claimed and return at once.
    """
    if limit <= 0:
        return []
    return list(
        Comment.objects.filter(
            status=Comment.Status.PENDING, scan_state=Comment.ScanState.UNSCANNED
        )
        .exclude(pk__in=list(comment_ids))
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )


def comments_needing_scan(limit: int = 200) -> list[int]:
    """Pending comments that were never scanned, failed, or whose worker vanished."""
    from django.conf import settings

    now = timezone.now()
    settle = timedelta(seconds=settings.BROADSHEET_SCAN_SWEEP_AFTER_SECONDS)
    return list(
        Comment.objects.filter(status=Comment.Status.PENDING, scan_attempts__lt=MAX_SCAN_ATTEMPTS)
        .filter(
            Q(scan_state=Comment.ScanState.UNSCANNED, submitted_at__lt=now - settle)
            | Q(scan_state=Comment.ScanState.FAILED)
            | Q(scan_state=Comment.ScanState.SCANNING, scan_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(*, max_rounds: int = 20) -> int:
    """Rescan what was lost, in batches, until nothing is left; returns how many. Also
    forgets what the retention setting says to forget."""
    retention_purge(days=settings.BROADSHEET_RETENTION_DAYS)
    total = 0
    for _ in range(max_rounds):
        ids = comments_needing_scan(limit=500)
        if not ids:
            break
        scanned = 0
        for start in range(0, len(ids), 50):
            scanned += scan_comments(ids[start : start + 50])
        total += scanned
        if scanned == 0:
            break  # all claimed by someone else or all failing: try again next sweep
    return total
