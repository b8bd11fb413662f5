"""What a scan reads besides the comment: the process caches of scanners, word lists,
blocked domains, the latest articles and their discussions, and the scan contexts built
from them."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import Count, Max
from django.utils import timezone

from broadsheet.moderation import embedder
from broadsheet.moderation.models import ArticleEmbedding, BlockedDomain, WordListEntry
from broadsheet.moderation.pipeline import store
from broadsheet.moderation.pipeline.store import ClaimedComment
from broadsheet.moderation.scanners.base import (
    BACKGROUND_ARTICLES,
    BackgroundArticle,
    ScanContext,
)

if TYPE_CHECKING:
    import numpy as np

    from broadsheet.moderation.scanners.wordlist import WordListScanner

T = TypeVar("T")

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


def forget_checked_settings(**_kwargs: Any) -> None:
    """Signal receiver: the word lists, blocked domains or articles changed here."""
    _last_checked.clear()
    forget_discussions()


@dataclass
class _Cached(Generic[T]):
    """A value kept per process, and the state of the tables it was built from."""

    value: T | None = None
    key: tuple[object, ...] | None = None


_wordlist_cache: _Cached[WordListScanner] = _Cached()


def _wordlist_scanner() -> WordListScanner:
    """The word-list scanner, rebuilt only when editors changed the list.

    One aggregate query tells whether anything was added, edited or deleted, so a list of
    thousands of entries is not read and compiled again for every batch.
    """
    from broadsheet.moderation.scanners.wordlist import WordListScanner

    if _wordlist_cache.value is not None and not _recheck_due("wordlist"):
        return _wordlist_cache.value
    state = WordListEntry.objects.aggregate(count=Count("id"), changed=Max("updated_at"))
    key = (state["count"], state["changed"])
    if _wordlist_cache.value is None or _wordlist_cache.key != key:
        entries = list(WordListEntry.objects.values_list("phrase", "kind"))
        banned = [p for p, kind in entries if kind == WordListEntry.Kind.BANNED]
        suspect = [p for p, kind in entries if kind == WordListEntry.Kind.SUSPECT]
        _wordlist_cache.value = WordListScanner(banned=banned, suspect=suspect)
        _wordlist_cache.key = key
    return _wordlist_cache.value


_background_cache: _Cached[dict[int, BackgroundArticle]] = _Cached()


def _recent_articles() -> dict[int, BackgroundArticle]:
    """The latest published articles with their stored vectors, by id, for the relevance
    scanner's background; reloaded only when an article or an embedding changed."""
    from broadsheet.articles.models import Article

    if _background_cache.value is not None and not _recheck_due("background"):
        return _background_cache.value
    published = Article.objects.published()
    state = published.aggregate(count=Count("id"), changed=Max("updated_at"))
    vectors = ArticleEmbedding.objects.aggregate(count=Count("id"), changed=Max("computed_at"))
    key = (
        state["count"], state["changed"], vectors["count"], vectors["changed"],
        embedder.MODEL_NAME,
    )
    if _background_cache.value is None or _background_cache.key != key:
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
        _background_cache.value = articles
        _background_cache.key = key
    return _background_cache.value


_blocked_cache: dict[str, frozenset[str]] = {}


def _blocked_domains() -> frozenset[str]:
    if "domains" not in _blocked_cache or _recheck_due("blocked"):
        _blocked_cache["domains"] = frozenset(
            BlockedDomain.objects.values_list("domain", flat=True)
        )
    return _blocked_cache["domains"]


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


# An article's discussion: its comments' vectors and their token bags (None when a comment
# scanned before the bags were kept has none yet; the scanner then compares vectors alone).
Discussion = tuple["np.ndarray | None", "embedder.TokenBags | None"]
_discussion_cache: dict[int, tuple[float, Discussion]] = {}
# article id -> (the cached background article, its discussion, the two joined)
_discussed_background: dict[int, tuple[BackgroundArticle, Discussion, BackgroundArticle]] = {}


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
        for article_id, comment_id, blob, bag in store.discussion_rows(
            stale, model_name, DISCUSSION_SIZE
        ):
            rows[article_id].append((comment_id, embedder.from_bytes(bytes(blob)), bag))
        for aid, found in rows.items():
            # Newest first whatever order the union returned: the scanner compares
            # discussions by their newest comments.
            found.sort(key=lambda row: row[0], reverse=True)
            vectors = [vector for _, vector, _ in found]
            bags = None
            stored_bags = [bag for _, _, bag in found if bag is not None]
            if found and len(stored_bags) == len(found):
                bags = embedder.TokenBags([embedder.bag_from_bytes(bag) for bag in stored_bags])
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
    repeat_counts = store.repeat_counts(comments, timezone.now() - REPEAT_WINDOW)
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


