"""The on-topic rule: does the comment relate to its article, or to the comment it answers?

Score = how likely the comment is OFF-topic. Evidence per comment:
- article: cosine similarity of its embedding to the article's chunks (best chunk) and a
  weighted exact-token overlap with headline+deck (names and places the embedding blurs);
- background: the same two measures against other recently published articles
  (``ScanContext.background_articles``). A comment is on topic when it resembles its own
  article MORE than the rest of the site: "this is a disgrace" is about as close to every
  story, so its low raw similarity is no evidence against it, while a comment that is
  plainly about another story scores high. The background similarity is a soft maximum
  (log-mean-exp at ``BACKGROUND_TEMPERATURE``) and the overlap a mean, so neither grows
  with the number of background articles;
- parent: similarity and overlap to the comment it replies to;
- discussion: how close the comment comes to the nearest approved comments already under
  the article (``ScanContext.article_discussion``), against the same for the background
  articles' discussions. Readers name the people, places and side issues a story raises,
  which its headline and deck often do not. Three measures, each against the background's:
  the embedding similarity to the nearest comments, the exact-token overlap with the nearest
  comments (``article_discussion_bags``: the names the embedding blurs), and the mean
  similarity to the whole discussion (its subject, not its one closest remark). Used only
  once enough comments are there, and a copy of the comment itself is never evidence.

Article and parent evidence are turned into probabilities by logistic models fitted on
matched vs mismatched pairs (scripts/eval_relevance.py --calibrate, coefficients in the
embedder's sidecar JSON). For a reply under an article one model weighs both (the article
model's inputs plus the parent's similarity and overlap, "<model>_reply"): a reply that
answers its parent is on-topic even if it never mentions the article. A reply with only a
parent gets the parent model.

Similarity carries little evidence for a few words ("Agreed.", "Well said"), so short
comments are pulled towards a low "don't know" score instead of being flagged.

Readers often say so themselves ("Off topic, but...", "Nothing to do with buses, but...",
"On an unrelated note"), and such a comment is usually about a subject no article covers, so
no comparison with the site's articles can catch it. A sentence that opens that way lifts the
score over the hold threshold, and the desk highlights the words.
"""

from __future__ import annotations

import math
import random
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.scanners.base import (
    BACKGROUND_ARTICLES,
    BackgroundArticle,
    Reason,
    ScanContext,
    ScanResult,
    Span,
)

# Fallbacks when the sidecar has no calibration for the active backend (e.g. the full
# MiniLM was never calibrated on this install). "article"/"parent": intercept, similarity
# slope[, overlap slope]; "article_background": intercept, slope on (similarity - background
# similarity), slope on (overlap - background overlap).
DEFAULT_CALIBRATION: dict[str, tuple[float, ...]] = {
    "article": (3.0, -12.0),
    "parent": (3.0, -12.0),
    "article_background": (0.0, -9.0, -9.0),
    # ... plus a slope on (discussion similarity - background discussion similarity).
    "article_discussion": (0.0, -9.0, -9.0, -9.0),
    # ... plus slopes on the same gap for the discussion's token overlap (nearest comments)
    # and for the mean similarity to the whole discussion.
    "article_discussion_lexical": (0.0, -3.0, -3.0, -6.0, -6.0, -6.0),
}
# A reply's article model with the parent's similarity and overlap as two more inputs:
# "<article model>_reply". No fallbacks: without a fitted one, a reply gets the more
# favourable of its article and parent probabilities instead.
REPLY_SUFFIX = "_reply"
REPLY_MODELS = tuple(f"{model}{REPLY_SUFFIX}" for model in DEFAULT_CALIBRATION if model != "parent")
# Fewer background articles than this say too little about what "generic" looks like.
BACKGROUND_MIN = 3
BACKGROUND_TEMPERATURE = 10.0
# A discussion counts from this many approved comments; its similarity is the mean of the
# comment's nearest two, so one look-alike remark does not decide it alone. Chosen with
# scripts/eval_relevance.py's leave-one-article-out on fox_news (static / MiniLM mean AUC):
# nearest 1 0.841 / 0.879, 2 0.838 / 0.875, 3 0.831 / 0.869, 5 0.821, 10 0.807; a soft
# maximum at temperature 30 over the background discussions, 10 or 20 were 0.003-0.010 lower.
DISCUSSION_MIN = 5
DISCUSSION_NEIGHBOURS = 2
DISCUSSION_TEMPERATURE = 30.0
# The pipeline passes at most this many of an article's newest approved comments.
DISCUSSION_SIZE = 200
# At or above this cosine a discussion row is the comment itself (or a copy of it).
SAME_TEXT_SIMILARITY = 0.999
# Below this many words the similarity is mostly noise; the score is blended towards
# SHORT_PRIOR in proportion to how far short of it the comment is.
FULL_EVIDENCE_WORDS = 8
SHORT_PRIOR = 0.2
# Moderators only see a reason when the scanner leans towards off-topic.
REASON_MIN_SCORE = 0.5
ARTICLE_CACHE_SIZE = 256
# The score of a comment whose writer says it is off-topic: over the 0.62 hold threshold, so
# `auto` mode waits for a human, and short of the certainty a rejection without one needs.
SELF_DECLARED_SCORE = 0.8
# Only at the start of the comment or of a sentence: "that has nothing to do with it" in the
# middle of an argument is a rebuttal, not a confession.
_SELF_DECLARED_OFF_TOPIC = re.compile(
    r"(?:^|(?<=[.!?\n])|(?<=[.!?]\s))[\s\"'(]*("
    r"(?:(?:sorry|apologies|i know|i know this is|this is|bit|a bit|slightly|somewhat|totally"
    r"|completely|a little|little)[,\s]+)*off[- ]?topic(?:\s+question)?"
    r"\s*(?:[:,()\-\u2013\u2014]|but\b|here\b)"
    r"|OT\s*:"
    r"|(?:unrelated|not related|nothing to do with[^,.!?\n]{1,60}|not about[^,.!?\n]{1,60})"
    r",?\s+but\b"
    r"|unrelated\s*:"
    r"|on an?\s+(?:unrelated|different|separate|totally different|completely different)\s+"
    r"(?:note|subject|topic)\b"
    r"|(?:to change|changing)\s+the\s+(?:subject|topic)\b"
    r")",
    re.IGNORECASE,
)

_WORD = re.compile(r"\w+", re.UNICODE)


def self_declared_off_topic(text: str) -> Span | None:
    """Where the commenter says the comment is off-topic, if they do."""
    match = _SELF_DECLARED_OFF_TOPIC.search(text or "")
    if match is None:
        return None
    start, end = match.span(1)
    # The span ends on the cue's last word, not on the comma or "but" after it.
    cue = text[start:end].rstrip(" ,:()-\u2013\u2014")
    if cue.lower().endswith(" but"):
        cue = cue[:-4].rstrip(" ,")
    return Span(start, start + len(cue))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def soft_max(sims: np.ndarray, temperature: float = BACKGROUND_TEMPERATURE) -> float:
    """Log-mean-exp: between the mean and the maximum, and stable in the number of items."""
    sims = np.asarray(sims, dtype=np.float64)
    top = float(sims.max())
    return top + float(np.log(np.mean(np.exp(temperature * (sims - top))))) / temperature


def load_calibration(backend_name: str) -> dict[str, tuple[float, ...]]:
    try:
        table = emb.sidecar().get("calibration", {})
    except (OSError, ValueError):
        table = {}
    entry = table.get(backend_name) or {}
    cal = dict(DEFAULT_CALIBRATION)
    for key in (*DEFAULT_CALIBRATION, *REPLY_MODELS):
        if key in entry:
            cal[key] = tuple(float(v) for v in entry[key])
    return cal


def _linear(coefs: Sequence[float], *features: float) -> float:
    # Older two-number calibrations have no overlap slope: missing slopes count as zero.
    return coefs[0] + sum(c * f for c, f in zip(coefs[1:], features, strict=False))


@dataclass
class Evidence:
    """What the score is made of, for one comment (None = that context was missing)."""

    article_sim: float | None = None
    article_overlap: float = 0.0
    background_sim: float | None = None  # soft maximum over the background articles
    background_overlap: float = 0.0  # mean over the background articles
    background_size: int = 0
    closest_other: tuple[str, float] | None = None  # most similar background article
    parent_sim: float | None = None
    parent_overlap: float = 0.0
    discussion_sim: float | None = None  # mean of the nearest approved comments
    background_discussion_sim: float | None = None  # soft maximum, background discussions
    # The same for the token overlap with the nearest comments, and for the mean similarity
    # to the whole discussion (its subject rather than its closest remark).
    discussion_overlap: float | None = None
    background_discussion_overlap: float | None = None
    discussion_mean: float | None = None
    background_discussion_mean: float | None = None
    vector: np.ndarray | None = None  # the comment's embedding
    bag: emb.Bag | None = None  # the comment's token bag


class RelevanceScanner:
    name = "relevance"

    def __init__(
        self,
        embedder: emb.Backend | None = None,
        calibration: dict[str, tuple[float, ...]] | None = None,
    ) -> None:
        self._embedder = embedder
        self._calibration = calibration
        self._articles: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._bags: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._block: tuple[list[BackgroundArticle], tuple | None] | None = None
        self._discussion_block: tuple[list[BackgroundArticle], tuple | None] | None = None

    @property
    def embedder(self) -> emb.Backend:
        if self._embedder is None:
            self._embedder = emb.get_backend()
        return self._embedder

    @property
    def calibration(self) -> dict[str, tuple[float, ...]]:
        if self._calibration is None:
            self._calibration = load_calibration(self.embedder.name)
        elif not DEFAULT_CALIBRATION.keys() <= self._calibration.keys():
            # A calibration older than one of the models: the defaults fill the gap.
            self._calibration = {**DEFAULT_CALIBRATION, **self._calibration}
        return self._calibration

    def _embed_articles(self, keys: list[tuple[str, str]]) -> None:
        """Embed headline+deck for articles without stored vectors, remembering recent ones."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._articles]
        if missing:
            vecs = self.embedder.embed([emb.article_chunks(t, d, "")[0] for t, d in missing])
            for key, vec in zip(missing, vecs, strict=True):
                self._articles[key] = vec[None, :]
        for key in keys:
            self._articles.move_to_end(key)
        # Never below this call's own articles: a batch whose articles and background outnumber
        # the cache would otherwise lose its first articles before it reads them.
        keep = max(ARTICLE_CACHE_SIZE, len(set(keys)))
        while len(self._articles) > keep:
            self._articles.popitem(last=False)

    def _article_bags(self, keys: list[tuple[str, str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        missing = [k for k in dict.fromkeys(keys) if k not in self._bags]
        if missing:
            bags = emb.lexical_bags().bags([emb.article_chunks(t, d, "")[0] for t, d in missing])
            self._bags.update(zip(missing, bags, strict=True))
        out = []
        for key in keys:
            self._bags.move_to_end(key)
            out.append(self._bags[key])
        while len(self._bags) > ARTICLE_CACHE_SIZE:
            self._bags.popitem(last=False)
        return out

    def _article_rows(self, title: str, deck: str, stored: np.ndarray | None) -> np.ndarray | None:
        """Stored chunk vectors when they are in this backend's space, else headline+deck
        (which ``_embed_articles`` must have embedded already)."""
        dim = self.embedder.dim
        if stored is not None and stored.ndim == 2 and len(stored) and stored.shape[1] == dim:
            return stored.astype(np.float32, copy=False)
        return self._articles.get((title or "", deck or ""))

    def _embed_and_bag(
        self, texts: list[str]
    ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """Embeddings and lexical bags, tokenising once when the static model does both."""
        backend, lex = self.embedder, emb.lexical_bags()
        if isinstance(backend, emb.StaticEmbedder) and backend.model_dir == lex.model_dir:
            ids = backend.token_ids(texts)
            return backend.embed_token_ids(ids), lex.bags_from_ids(ids)
        return backend.embed(texts), lex.bags(texts)

    def evidence(self, contexts: Sequence[ScanContext]) -> list[Evidence]:
        """Similarities and overlaps of every comment with its article, background, parent."""
        out = [Evidence() for _ in contexts]
        if not contexts:
            return out
        dim = self.embedder.dim
        comments, comment_bags = self._embed_and_bag([c.text or "" for c in contexts])
        own_discussion: list[np.ndarray | None] = []
        own_kept: list[np.ndarray | None] = []
        own_lexical: list[np.ndarray | None] = [None] * len(contexts)
        # Comments under one article share its discussion's bags: one overlap call each.
        by_bags: dict[int, list[int]] = {}
        for i, c in enumerate(contexts):
            out[i].vector = comments[i]
            out[i].bag = comment_bags[i]
            sims, kept = _discussion_sims(c.article_discussion, comments[i], dim)
            own_discussion.append(sims)
            own_kept.append(kept)
            out[i].discussion_sim = _nearest_mean(sims)
            if sims is not None:
                out[i].discussion_mean = float(sims.mean())
                bags = c.article_discussion_bags
                if bags is not None and len(bags) == len(c.article_discussion):
                    by_bags.setdefault(id(bags), []).append(i)
        for members in by_bags.values():
            bags = contexts[members[0]].article_discussion_bags
            lexical = bags.overlaps([comment_bags[i] for i in members])
            for row, i in enumerate(members):
                own_lexical[i] = lexical[row][own_kept[i]]
                out[i].discussion_overlap = _nearest_mean(own_lexical[i])

        parent_idx = [i for i, c in enumerate(contexts) if (c.parent_text or "").strip()]
        if parent_idx:
            parents, parent_bags = self._embed_and_bag(
                [contexts[i].parent_text or "" for i in parent_idx]
            )
            for row, i in enumerate(parent_idx):
                out[i].parent_sim = float(comments[i] @ parents[row])
                out[i].parent_overlap = _overlap(comment_bags[i], parent_bags[row])

        def has_text(title: str, deck: str) -> bool:
            return bool((title or "").strip() or (deck or "").strip())

        def usable(stored: np.ndarray | None) -> bool:
            return (
                stored is not None
                and stored.ndim == 2
                and len(stored) > 0
                and (stored.shape[1] == dim)
            )

        # Background articles are usually shared by the whole batch: each is compared once.
        unique: dict[int, BackgroundArticle] = {}
        for c in contexts:
            for b in c.background_articles:
                unique.setdefault(id(b), b)
        # Headline+deck, embedded in one call, for every article without usable vectors.
        wanted = [
            (c.article_title or "", c.article_deck or "")
            for c in contexts
            if not usable(c.article_embeddings) and has_text(c.article_title, c.article_deck)
        ] + [
            (b.title or "", b.deck or "")
            for b in unique.values()
            if not usable(b.embeddings) and has_text(b.title, b.deck)
        ]
        if wanted:
            self._embed_articles(wanted)

        for i, c in enumerate(contexts):
            rows = self._article_rows(c.article_title, c.article_deck, c.article_embeddings)
            if rows is None:
                continue
            out[i].article_sim = float(np.max(rows @ comments[i]))
            if has_text(c.article_title, c.article_deck):
                (bag,) = self._article_bags([(c.article_title or "", c.article_deck or "")])
                out[i].article_overlap = _overlap(comment_bags[i], bag)

        if unique:
            self._background(contexts, comments, comment_bags, list(unique.values()), out)
            self._background_discussions(
                contexts, comments, comment_bags, own_discussion, own_lexical,
                list(unique.values()), out,
            )
        return out

    def _background_block(self, articles: list[BackgroundArticle]):
        """Stacked chunk vectors and overlap table of the background articles, kept while the
        pipeline keeps passing the same objects (it caches them per process)."""
        cached = self._block
        same = cached is not None and len(cached[0]) == len(articles)
        if same and all(a is b for a, b in zip(cached[0], articles, strict=True)):
            return cached[1]
        arts: list[BackgroundArticle] = []
        rows, seg, offset = [], [], 0
        for b in articles:
            r = self._article_rows(b.title, b.deck, b.embeddings)
            if r is None:
                continue
            arts.append(b)
            rows.append(r)
            seg.append(offset)
            offset += len(r)
        block = None
        if len(arts) >= BACKGROUND_MIN:
            bags = _overlap_table(self._article_bags([(b.title or "", b.deck or "") for b in arts]))
            block = (
                arts,
                {id(b): k for k, b in enumerate(arts)},
                np.concatenate(rows).T.copy(),
                np.asarray(seg),
                bags,
            )
        self._block = (list(articles), block)
        return block

    def _background(self, contexts, comments, comment_bags, articles, out) -> None:
        """Soft maximum of similarity and mean overlap over each comment's background."""
        block = self._background_block(articles)
        if block is None:
            return
        arts, cols, matrix, seg, bags = block
        # Best chunk per background article, for every comment: (n, articles).
        sims = np.maximum.reduceat(comments @ matrix, seg, axis=1)
        bg_overlap = _overlap_matrix(comment_bags, *bags)
        mask = np.zeros(sims.shape, dtype=bool)
        for i, c in enumerate(contexts):
            mask[i, _columns(c.background_articles, cols)] = True
        counts = mask.sum(axis=1)
        masked = np.where(mask, sims, -np.inf)
        top = masked.max(axis=1)
        t = BACKGROUND_TEMPERATURE
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = np.where(mask, np.exp(t * (sims - top[:, None])), 0.0).sum(axis=1)
            soft = top + np.log(spread / counts) / t
            mean_overlap = np.where(mask, bg_overlap, 0.0).sum(axis=1) / counts
        closest = masked.argmax(axis=1)
        for i in np.flatnonzero(counts >= BACKGROUND_MIN):
            ev = out[i]
            if ev.article_sim is None:
                continue
            ev.background_sim = float(soft[i])
            ev.background_overlap = float(mean_overlap[i])
            ev.background_size = int(counts[i])
            ev.closest_other = (arts[closest[i]].title, float(sims[i, closest[i]]))

    def _discussion_block_for(self, articles: list[BackgroundArticle]):
        """The background articles' discussions as one padded (dim, articles x longest)
        matrix, kept while the same objects keep coming (the pipeline refreshes them every
        little while)."""
        cached = self._discussion_block
        same = cached is not None and len(cached[0]) == len(articles)
        if same and all(a is b for a, b in zip(cached[0], articles, strict=True)):
            return cached[1]
        dim = self.embedder.dim
        usable = [
            b for b in articles
            if b.discussion is not None and b.discussion.ndim == 2
            and b.discussion.shape[1] == dim and len(b.discussion) >= DISCUSSION_MIN
        ]
        block = None
        if len(usable) >= BACKGROUND_MIN:
            longest = max(len(b.discussion) for b in usable)
            padded = np.zeros((len(usable), longest, dim), dtype=np.float32)
            padding = np.ones((len(usable), longest), dtype=bool)
            for k, b in enumerate(usable):
                padded[k, : len(b.discussion)] = b.discussion
                padding[k, : len(b.discussion)] = False
            # Token bags in the same padded layout, when every discussion has them.
            bags = None
            if all(
                b.discussion_bags is not None and len(b.discussion_bags) == len(b.discussion)
                for b in usable
            ):
                empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
                rows: list[emb.Bag] = []
                for b in usable:
                    rows += b.discussion_bags.bags
                    rows += [empty] * (longest - len(b.discussion))
                bags = emb.TokenBags(rows)
            block = (
                {id(b): k for k, b in enumerate(usable)},
                padded.reshape(-1, dim).T.copy(),
                padding,
                bags,
            )
        self._discussion_block = (list(articles), block)
        return block

    def _background_discussions(
        self, contexts, comments, comment_bags, own_discussion, own_lexical, articles, out
    ) -> None:
        """Soft maximum, over each comment's background, of its nearest-comments similarity.

        The nearest of many comments is closer than the nearest of a few by chance alone, so
        each background discussion is compared with the article's own at the same size: the
        newest min(own, background) comments of each (both come newest first). Five own
        comments against backgrounds of 200, all unrelated to the comment, left a gap of -0.12
        on average before (tests/moderation/test_relevance_discussion.py); on fox_news, where
        a comment's own discussion is the comments before it, the eval's ROC AUC went from
        0.823 to 0.879."""
        block = self._discussion_block_for(articles)
        if block is None:
            return
        cols, matrix, padding, bags = block
        count, longest = padding.shape
        sims = (comments @ matrix).reshape(len(contexts), count, longest)
        sims[:, padding] = -np.inf
        sims[sims >= SAME_TEXT_SIMILARITY] = -np.inf
        for i, own in enumerate(own_discussion):
            sims[i, :, len(own) if own is not None else 0 :] = -np.inf
        present = np.isfinite(sims)
        valid = present.sum(axis=2)
        enough = valid >= DISCUSSION_MIN
        near = _nearest_in_rows(sims, enough)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(enough, np.where(present, sims, 0.0).sum(axis=2) / valid, np.nan)
        near_lexical = None
        if bags is not None:
            lexical = bags.overlaps(list(comment_bags)).reshape(len(contexts), count, longest)
            lexical[~present] = -np.inf
            near_lexical = _nearest_in_rows(lexical, enough)
        t = DISCUSSION_TEMPERATURE
        for i, c in enumerate(contexts):
            if out[i].discussion_sim is None:
                continue
            picked = _columns(c.background_articles, cols)
            values = near[i, picked]
            sizes = valid[i, picked]
            keep = np.isfinite(values)
            if keep.sum() < BACKGROUND_MIN:
                continue
            # The own discussion's nearest-comments similarity at each background's size
            # (usually the own discussion's whole size, the common case needing no prefix).
            own = own_discussion[i]
            sizes = sizes[keep]
            whole = bool((sizes == len(own)).all())
            if whole:
                own_at: np.ndarray | float = out[i].discussion_sim
            else:
                own_at = _nearest_means_by_size(own)[sizes]
            gap = soft_max(values[keep] - own_at, t)
            out[i].background_discussion_sim = out[i].discussion_sim + gap
            own_mean_at = out[i].discussion_mean if whole else _means_by_size(own)[sizes]
            gap = soft_max(mean[i, picked][keep] - own_mean_at, t)
            out[i].background_discussion_mean = out[i].discussion_mean + gap
            own_lex = own_lexical[i]
            if near_lexical is not None and own_lex is not None:
                lex_at = out[i].discussion_overlap if whole else (
                    _nearest_means_by_size(own_lex)[sizes]
                )
                gap = soft_max(near_lexical[i, picked][keep] - lex_at, t)
                out[i].background_discussion_overlap = out[i].discussion_overlap + gap

    def similarities(
        self, contexts: Sequence[ScanContext]
    ) -> tuple[list[float | None], list[float | None]]:
        """Best article-chunk similarity and parent similarity per context (None = no context)."""
        ev = self.evidence(contexts)
        return [e.article_sim for e in ev], [e.parent_sim for e in ev]

    def article_probability(self, ev: Evidence) -> float | None:
        chosen = article_model(ev)
        if chosen is None:
            return None
        model, features = chosen
        return _sigmoid(_linear(self.calibration[model], *features))

    def parent_probability(self, ev: Evidence) -> float | None:
        if ev.parent_sim is None:
            return None
        return _sigmoid(_linear(self.calibration["parent"], ev.parent_sim, ev.parent_overlap))

    def reply_probability(self, ev: Evidence) -> float | None:
        """Article and parent evidence weighed together, for a reply under an article; None
        when either is missing or no reply model was fitted for this backend."""
        chosen = reply_model(ev)
        if chosen is None or chosen[0] not in self.calibration:
            return None
        model, features = chosen
        return _sigmoid(_linear(self.calibration[model], *features))

    def score(self, text: str, ev: Evidence) -> float | None:
        # Fitted together, a close parent lowers the score by as much as pairs of real replies
        # show; the more favourable of two separate probabilities let a reply's similarity to
        # a parent from another thread rescue it too often (fox_news test split, mean of five
        # pairing seeds: ROC AUC 0.882 -> 0.893 with the joint model, static embedder).
        p = self.reply_probability(ev)
        if p is None:
            probs = [
                q for q in (self.article_probability(ev), self.parent_probability(ev))
                if q is not None
            ]
            if not probs:
                return None
            p = min(probs)
        evidence = min(1.0, word_count(text) / FULL_EVIDENCE_WORDS)
        return SHORT_PRIOR + evidence * (p - SHORT_PRIOR)

    def off_topic_probability(
        self, text: str, article_sim: float | None, parent_sim: float | None
    ) -> float | None:
        """The score from bare similarities (no overlap, no background)."""
        return self.score(text, Evidence(article_sim=article_sim, parent_sim=parent_sim))

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]:
        if not contexts:
            return []
        results = []
        for ctx, ev in zip(contexts, self.evidence(contexts), strict=True):
            score = self.score(ctx.text, ev)
            declared = self_declared_off_topic(ctx.text)
            if declared is not None:
                cue = ctx.text[declared.start:declared.end]
                results.append(
                    ScanResult(
                        scanner=self.name,
                        score=max(SELF_DECLARED_SCORE, score or 0.0),
                        reasons=[
                            Reason(
                                code="off-topic",
                                message=f"The commenter says it is off-topic (\u201c{cue}\u201d)",
                                score=max(SELF_DECLARED_SCORE, score or 0.0),
                                spans=[declared],
                            )
                        ],
                        embedding=ev.vector,
                        bag=ev.bag,
                    )
                )
                continue
            if score is None:
                # Nothing to compare with: the rule cannot be judged, so it is not broken.
                results.append(
                    ScanResult(scanner=self.name, score=0.0, embedding=ev.vector, bag=ev.bag)
                )
                continue
            score = float(min(1.0, max(0.0, score)))
            reasons = []
            if score >= REASON_MIN_SCORE:
                reasons.append(Reason(code="off-topic", message=_message(ev), score=score))
            results.append(
                ScanResult(
                    scanner=self.name, score=score, reasons=reasons, embedding=ev.vector,
                    bag=ev.bag,
                )
            )
        return results


def article_model(ev: Evidence) -> tuple[str, list[float]] | None:
    """The richest calibrated article model the evidence allows, and its inputs: each adds
    gaps to the one before (background, then the discussion's nearest comments, then its
    words and mean). None without an article. scripts/eval_relevance.py fits the same."""
    if ev.article_sim is None:
        return None
    if ev.background_sim is None:
        return "article", [ev.article_sim, ev.article_overlap]
    model = "article_background"
    gaps = [ev.article_sim - ev.background_sim, ev.article_overlap - ev.background_overlap]
    if ev.discussion_sim is not None and ev.background_discussion_sim is not None:
        model = "article_discussion"
        gaps.append(ev.discussion_sim - ev.background_discussion_sim)
        if (
            ev.background_discussion_overlap is not None
            and ev.background_discussion_mean is not None
        ):
            model = "article_discussion_lexical"
            gaps += [
                ev.discussion_overlap - ev.background_discussion_overlap,
                ev.discussion_mean - ev.background_discussion_mean,
            ]
    return model, gaps


def reply_model(ev: Evidence) -> tuple[str, list[float]] | None:
    """``article_model`` for a reply: the same inputs plus the parent's similarity and
    overlap. None for a comment without a parent or without an article."""
    chosen = article_model(ev)
    if chosen is None or ev.parent_sim is None:
        return None
    model, gaps = chosen
    return model + REPLY_SUFFIX, [*gaps, ev.parent_sim, ev.parent_overlap]


_columns_memo: dict[tuple[int, int], tuple[tuple, dict, list[int]]] = {}


def _columns(background: tuple[BackgroundArticle, ...], cols: dict[int, int]) -> list[int]:
    """Columns of a stacked block that BACKGROUND's articles occupy. The comments on one
    article share one background tuple, so each (tuple, block) pair is worked out once."""
    key = (id(background), id(cols))
    hit = _columns_memo.get(key)
    # Both objects are kept in the memo, so neither id can be reused while it is there.
    if hit is not None and hit[0] is background and hit[1] is cols:
        return hit[2]
    if len(_columns_memo) > 256:
        _columns_memo.clear()
    picked = [cols[id(b)] for b in background if id(b) in cols]
    _columns_memo[key] = (background, cols, picked)
    return picked


def _discussion_sims(
    discussion: np.ndarray | None, vector: np.ndarray, dim: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Similarities of VECTOR to the rows of DISCUSSION (newest first), copies of it left out,
    and which rows were kept; (None, None) when the discussion is missing, in another space,
    or too small to say anything."""
    if discussion is None or discussion.ndim != 2 or discussion.shape[1] != dim:
        return None, None
    sims = discussion @ vector
    kept = sims < SAME_TEXT_SIMILARITY
    sims = sims[kept]
    return (sims, kept) if len(sims) >= DISCUSSION_MIN else (None, None)


def _nearest_mean(sims: np.ndarray | None) -> float | None:
    """Mean of the DISCUSSION_NEIGHBOURS highest similarities."""
    if sims is None:
        return None
    take = min(DISCUSSION_NEIGHBOURS, len(sims))
    return float(np.partition(sims, len(sims) - take)[len(sims) - take :].mean())


def _nearest_in_rows(sims: np.ndarray, enough: np.ndarray) -> np.ndarray:
    """Mean of the DISCUSSION_NEIGHBOURS highest along the last axis; NaN where not ENOUGH."""
    longest = sims.shape[-1]
    take = min(DISCUSSION_NEIGHBOURS, longest)
    top = np.partition(sims, longest - take, axis=-1)[..., longest - take :]
    with np.errstate(invalid="ignore"):
        return np.where(enough, top.mean(axis=-1), np.nan)


def _means_by_size(sims: np.ndarray) -> np.ndarray:
    """[m] = mean of the first m similarities (the m newest comments); NaN under
    DISCUSSION_MIN, like ``_nearest_means_by_size``."""
    out = np.full(len(sims) + 1, np.nan)
    sizes = np.arange(1, len(sims) + 1)
    out[DISCUSSION_MIN:] = (np.cumsum(sims) / sizes)[DISCUSSION_MIN - 1 :]
    return out


def _nearest_means_by_size(sims: np.ndarray) -> np.ndarray:
    """[m] = ``_nearest_mean`` of the first m similarities (the m newest comments), for m up
    to len(SIMS); NaN under DISCUSSION_MIN. Running maxima, not a loop: it runs per comment."""
    first = np.maximum.accumulate(sims)
    if DISCUSSION_NEIGHBOURS == 1:
        means = first
    else:
        # The second highest of a prefix is the highest of min(value, highest before it).
        assert DISCUSSION_NEIGHBOURS == 2, "written for the nearest one or two"
        second = np.maximum.accumulate(
            np.concatenate([[-np.inf], np.minimum(sims[1:], first[:-1])])
        )
        means = (first + second) / 2
    out = np.full(len(sims) + 1, np.nan)
    out[DISCUSSION_MIN:] = means[DISCUSSION_MIN - 1 :]
    return out


def _overlap_table(
    articles: list[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """The articles' bags as one (articles, their vocabulary) matrix, and that vocabulary."""
    vocab = np.unique(np.concatenate([ids for ids, _ in articles] or [np.zeros(0, np.int64)]))
    table = np.zeros((len(articles), len(vocab)), dtype=np.float32)
    for r, (ids, w) in enumerate(articles):
        table[r, np.searchsorted(vocab, ids)] = w
    return vocab, table


def _overlap_matrix(
    comments: list[tuple[np.ndarray, np.ndarray]], vocab: np.ndarray, table: np.ndarray
) -> np.ndarray:
    """``_overlap`` of every comment with every article of an ``_overlap_table``."""
    out = np.zeros((len(comments), table.shape[0]), dtype=np.float32)
    if not len(vocab):
        return out
    for i, (ids, w) in enumerate(comments):
        if not len(ids):
            continue
        pos = np.minimum(np.searchsorted(vocab, ids), len(vocab) - 1)
        hit = vocab[pos] == ids
        out[i] = table[:, pos[hit]] @ w[hit]
    return out


def _overlap(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(a[1][ia] @ b[1][ib])


def _message(ev: Evidence) -> str:
    parts = []
    if ev.article_sim is not None:
        text = f"Seems unrelated to the article (similarity {ev.article_sim:.2f}"
        if ev.closest_other is not None and ev.closest_other[1] > ev.article_sim:
            title, sim = ev.closest_other
            text += f"; closer to another recent article, \u201c{title}\u201d, {sim:.2f}"
        elif ev.background_sim is not None:
            text += f"; other recent articles {ev.background_sim:.2f}"
        if ev.discussion_sim is not None:
            text += f"; readers' comments under it {ev.discussion_sim:.2f}"
            if (
                ev.discussion_overlap is not None
                and ev.background_discussion_overlap is not None
                and ev.discussion_overlap < ev.background_discussion_overlap
            ):
                text += "; fewer of its readers' words than other articles' readers use"
        parts.append(text + ")")
    if ev.parent_sim is not None:
        who = (
            "the comment it replies to" if parts else "Seems unrelated to the comment it replies to"
        )
        parts.append(f"{who} (similarity {ev.parent_sim:.2f})")
    return " and to ".join(parts)


def build_pairs(rows: list[dict], seed: int = 0) -> tuple[list[ScanContext], list[int]]:
    """Own-context pairs (label 0) and mismatched-context pairs (label 1), deterministically."""
    contexts, labels, _ = _pairs_with_sources(rows, seed)
    return contexts, labels


def _pairs_with_sources(
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
    scanner: RelevanceScanner | None = None,
    batch_size: int = 256,
    pool: list[dict] | None = None,
) -> tuple[list[int], list[float]]:
    """Labels (1 = mismatched context) and off-topic scores for ``moderation eval``.

    POOL (default ROWS) is the whole file, in posting order: the comments that make up each
    article's discussion (see ``add_discussions``)."""
    scanner = scanner or RelevanceScanner()
    contexts, labels, sources = _pairs_with_sources(rows)
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
    bags: list[emb.Bag | None] = [None] * len(pool)
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
