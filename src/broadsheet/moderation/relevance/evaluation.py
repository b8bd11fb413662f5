"""The evaluation harness of the relevance scanner: scored pairs and files of comments given
the context the pipeline would give them (background articles, discussions so far).

Used by ``moderation eval`` (moderation/ml/evaluate.py), scripts/eval_relevance.py and the
tests; never by the scan itself.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.relevance.evidence import DISCUSSION_SIZE
from broadsheet.moderation.scanners.base import BACKGROUND_ARTICLES, BackgroundArticle, ScanContext

if TYPE_CHECKING:
    from broadsheet.moderation.scanners.relevance import RelevanceScanner


def build_pairs(rows: list[dict], seed: int = 0) -> tuple[list[ScanContext], list[int]]:
    """Own-context pairs (label 0) and mismatched-context pairs (label 1), deterministically."""
    contexts, labels, _ = pairs_with_sources(rows, seed)
    return contexts, labels


def pairs_with_sources(
    rows: list[dict], seed: int = 0
) -> tuple[list[ScanContext], list[int], list[int]]:
    """``build_pairs``, plus the index in ROWS each pair was made from.

    The mismatch keeps the comment and swaps its whole context as if it had been posted under
    another story: an article with a different title and, for a reply, a parent taken from
    another thread (another article's, when articles are known), so the parent cannot
    rescue a comment whose article was swapped.
    """
    rng = random.Random(seed)
    articles: dict[str, str] = {}
    parents: list[tuple[str, str]] = []
    for r in rows:
        title = (r.get("article_title") or "").strip()
        if title:
            articles.setdefault(title, r.get("article_summary") or "")
        parent = (r.get("parent_text") or "").strip()
        if parent:
            parents.append((parent, title))
    titles = sorted(articles)
    contexts: list[ScanContext] = []
    labels: list[int] = []
    sources: list[int] = []
    for index, r in enumerate(rows):
        text = r.get("text") or ""
        title = (r.get("article_title") or "").strip()
        parent = (r.get("parent_text") or "").strip()
        if not text.strip() or not (title or parent):
            continue
        other_title = ""
        if title:
            choices = [t for t in titles if t != title]
            if not choices:
                continue
            other_title = rng.choice(choices)
        other_parent = ""
        if parent:
            for _ in range(50):
                cand, cand_title = parents[rng.randrange(len(parents))]
                if cand != parent and (not title or cand_title == other_title or not cand_title):
                    other_parent = cand
                    break
            else:
                # No parent from the swapped article's thread: any other parent will do.
                pool = [p for p, _ in parents if p != parent]
                if not pool:
                    continue
                other_parent = rng.choice(pool)
        contexts.append(
            ScanContext(
                text=text,
                article_title=title,
                article_deck=(r.get("article_summary") or "") if title else "",
                parent_text=parent or None,
            )
        )
        labels.append(0)
        sources += [index, index]
        contexts.append(
            ScanContext(
                text=text,
                article_title=other_title,
                article_deck=articles.get(other_title, "") if other_title else "",
                parent_text=other_parent or None,
            )
        )
        labels.append(1)
    return contexts, labels, sources


def build_pairs_and_score(
    rows: list[dict],
    scanner: RelevanceScanner,
    batch_size: int = 256,
    pool: list[dict] | None = None,
) -> tuple[list[int], list[float]]:
    """Labels (1 = mismatched context) and off-topic scores for ``moderation eval``.

    POOL (default ROWS) is the whole file, in posting order: the comments that make up each
    article's discussion (see ``add_discussions``)."""
    contexts, labels, sources = pairs_with_sources(rows)
    place_in_file(contexts, rows, sources, pool, scanner.embedder)
    return labels, scores_in_batches(scanner, contexts, batch_size)


def place_in_file(
    contexts: Sequence[ScanContext],
    rows: list[dict],
    sources: Sequence[int],
    pool: list[dict] | None,
    embedder: emb.Backend,
) -> None:
    """Give contexts made from a file's ROWS what the pipeline gives a comment: other articles
    as background (``add_background``) and the discussions in POOL, default ROWS
    (``add_discussions``). SOURCES[i] is the index in ROWS of the row CONTEXTS[i] came from."""
    add_background(contexts, rows, sources)
    add_discussions(contexts, [rows[i] for i in sources], pool or rows, embedder)


def scores_in_batches(
    scanner: RelevanceScanner, contexts: Sequence[ScanContext], batch_size: int = 256
) -> list[float]:
    scores: list[float] = []
    for lo in range(0, len(contexts), batch_size):
        scores.extend(r.score for r in scanner.scan_batch(contexts[lo : lo + batch_size]))
    return scores


def add_background(
    contexts: Sequence[ScanContext],
    rows: list[dict],
    positions: Sequence[int] | None = None,
) -> None:
    """Give each context the rows' other articles as background, as the pipeline gives the
    site's other recent articles (the same objects, so each is embedded once).

    A file with more articles than the pipeline passes (``BACKGROUND_ARTICLES``) gives each
    context, when POSITIONS says which row it came from, the ``BACKGROUND_ARTICLES`` others
    that first appear nearest that row: the stories published around the same time, as the
    site's latest would be. Comparing with thousands of articles would be slower and unlike
    anything the scanner meets."""
    articles: dict[str, BackgroundArticle] = {}
    first: dict[str, int] = {}
    for index, r in enumerate(rows):
        title = (r.get("article_title") or "").strip()
        if title and title not in articles:
            articles[title] = BackgroundArticle(title=title, deck=r.get("article_summary") or "")
            first[title] = index
    if positions is None or len(articles) <= BACKGROUND_ARTICLES + 1:
        for c in contexts:
            c.background_articles = tuple(
                b for t, b in articles.items() if t != (c.article_title or "").strip()
            )
        return
    titles = list(articles)  # in order of first appearance
    starts = np.array([first[t] for t in titles])
    chosen: dict[tuple[int, str], tuple[BackgroundArticle, ...]] = {}
    for c, position in zip(contexts, positions, strict=True):
        own = (c.article_title or "").strip()
        key = (int(position), own)
        if key not in chosen:
            nearest = np.argsort(np.abs(starts - position), kind="stable")
            picked = [k for k in nearest[: BACKGROUND_ARTICLES + 1] if titles[k] != own]
            chosen[key] = tuple(articles[titles[k]] for k in sorted(picked[:BACKGROUND_ARTICLES]))
        c.background_articles = chosen[key]


def add_discussions(
    contexts: Sequence[ScanContext],
    sources: Sequence[dict],
    pool: Sequence[dict],
    embedder: emb.Backend,
) -> None:
    """Give each context the discussion it would have met on a live site.

    POOL is a file of comments in posting order. The discussion of a comment's own article is
    the comments before it there (at scan time its replies and everything after it are not
    written yet); every other article's discussion is all of its comments. So a context
    whose article was swapped meets the other article's full discussion, and its own article,
    when that is in the background, only what came before it. SOURCES[i] is the row
    CONTEXTS[i] was made from.
    """
    by_title: dict[str, list[int]] = {}
    position: dict[tuple[str, str], int] = {}
    for i, r in enumerate(pool):
        title = (r.get("article_title") or "").strip()
        if title:
            by_title.setdefault(title, []).append(i)
            position.setdefault((title, r.get("text") or ""), i)
    if not by_title:
        return
    wanted = sorted({i for ids in by_title.values() for i in ids})
    vectors = np.zeros((len(pool), embedder.dim), dtype=np.float32)
    # Every row under a titled article is filled in below; the rest are never read.
    unread: emb.Bag = (np.zeros(0, np.int64), np.zeros(0, np.float32))
    bags: list[emb.Bag] = [unread] * len(pool)
    lexical = emb.lexical_bags()
    for lo in range(0, len(wanted), 256):
        chunk = wanted[lo : lo + 256]
        texts = [pool[i].get("text") or "" for i in chunk]
        vectors[chunk] = embedder.embed(texts)
        for i, bag in zip(chunk, lexical.bags(texts), strict=True):
            bags[i] = bag

    def newest_first(ids: list[int]) -> tuple[np.ndarray, emb.TokenBags]:
        ids = ids[::-1][:DISCUSSION_SIZE]
        return vectors[ids], emb.TokenBags([bags[i] for i in ids])

    none = (None, None)
    full = {title: newest_first(ids) for title, ids in by_title.items()}
    earlier_at: dict[tuple[str, int], tuple[np.ndarray, emb.TokenBags]] = {}
    shared: dict[str, BackgroundArticle] = {}
    before: dict[tuple[str, int], BackgroundArticle] = {}
    for c, row in zip(contexts, sources, strict=True):
        own_title = (row.get("article_title") or "").strip()
        at = position.get((own_title, row.get("text") or ""))
        if at is None:
            earlier = full.get(own_title, none)
        else:
            if (own_title, at) not in earlier_at:
                earlier_at[(own_title, at)] = newest_first(
                    [i for i in by_title.get(own_title, []) if i < at]
                )
            earlier = earlier_at[(own_title, at)]
        title = (c.article_title or "").strip()
        c.article_discussion, c.article_discussion_bags = (
            earlier if title == own_title else full.get(title, none)
        )
        swapped = []
        for b in c.background_articles:
            if b.title == own_title and at is not None:
                key = (own_title, at)
                if key not in before:
                    before[key] = replace(b, discussion=earlier[0], discussion_bags=earlier[1])
                swapped.append(before[key])
            else:
                if b.title not in shared:
                    vecs, tb = full.get(b.title, none)
                    shared[b.title] = replace(b, discussion=vecs, discussion_bags=tb)
                swapped.append(shared[b.title])
        c.background_articles = tuple(swapped)
