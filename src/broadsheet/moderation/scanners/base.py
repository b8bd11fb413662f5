"""The contract every scanner follows.

A scanner reads one comment (with its article and parent as context) and returns a score in
[0, 1] — how strongly the comment breaks the rule the scanner watches — plus reasons a
moderator can read, each with the character spans that triggered it where that is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from broadsheet.moderation.embedder import Bag, TokenBags


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass
class Reason:
    # code is one of: "abusive", "personal-attack", "off-topic", "spam", "link",
    # "shouting", "personal-data", "repeated", "banned-word", "suspect-word"
    code: str
    message: str
    score: float
    spans: list[Span] = field(default_factory=list)


# How many of the site's latest other articles a comment is compared with (the pipeline's
# background; the evaluation gives files with more articles the same number).
BACKGROUND_ARTICLES = 50


@dataclass(frozen=True, eq=False)
class BackgroundArticle:
    """Another recently published article, the yardstick for "on topic" (relevance scanner)."""

    title: str
    deck: str = ""
    # Its stored chunk vectors, as ``ScanContext.article_embeddings``; None = embed the text.
    embeddings: np.ndarray | None = None
    # Its readers' approved comments, as ``ScanContext.article_discussion``.
    discussion: np.ndarray | None = None
    # Their token bags, row for row, as ``ScanContext.article_discussion_bags``.
    discussion_bags: TokenBags | None = None


@dataclass
class ScanContext:
    text: str
    article_id: int | None = None
    article_title: str = ""
    article_deck: str = ""
    # One row per chunk of the article (headline+deck, then body chunks), L2-normalised,
    # as stored when the article was published or edited. None when not computed.
    article_embeddings: np.ndarray | None = None
    parent_text: str | None = None
    # Vectors (L2-normalised, the embedder's space) of approved comments already under the
    # article, newest first. Readers' discussion names the people, places and side issues a
    # story raises, which its headline and deck often do not. None or few = not used.
    article_discussion: np.ndarray | None = None
    # The same comments' token bags (``embedder.TokenBags``), row for row with
    # ``article_discussion``: the words readers keep using. None = compare embeddings only.
    article_discussion_bags: TokenBags | None = None
    # Other recently published articles (not this one): a comment is judged by how much more
    # it resembles its own article than these, so a generic remark that fits any story is not
    # taken for off-topic. Filled in by the pipeline; empty = raw similarity only.
    background_articles: tuple[BackgroundArticle, ...] = ()
    author_email: str = ""
    # How many other comments with the same normalised text were posted in the last days
    # (on any article, by anyone): filled in by the pipeline from the database.
    repeat_count: int = 0
    # Domains editors put on the block list (lower-case, no "www.").
    blocked_domains: frozenset[str] = frozenset()


@dataclass
class ScanResult:
    scanner: str
    score: float
    reasons: list[Reason] = field(default_factory=list)
    # "reject" = clear violation no model needs to confirm (banned word); "hold" = must wait
    # for a human whatever the thresholds say (suspect word); None = let thresholds decide.
    verdict: str | None = None
    # The comment's vector, when the scanner computed one (relevance): stored, so the comments
    # after it can be compared with the discussion it joins once approved.
    embedding: np.ndarray | None = None
    # Its token bag, stored beside the vector for the same reason.
    bag: Bag | None = None


class Scanner(Protocol):
    name: str

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]: ...
