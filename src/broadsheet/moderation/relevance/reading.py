"""Reading a batch of comments' evidence: embeddings and token bags of the comments, their
articles, the site's other recent articles and the discussions under them, compared in a few
matrix products. Recent articles' vectors and bags are kept per process, since most batches
meet the same ones again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.relevance.evidence import (
    BACKGROUND_MIN,
    BACKGROUND_TEMPERATURE,
    DISCUSSION_MIN,
    DISCUSSION_TEMPERATURE,
    SAME_TEXT_SIMILARITY,
    Evidence,
    columns_of,
    discussion_sims,
    means_by_size,
    nearest_in_rows,
    nearest_mean,
    nearest_means_by_size,
    overlap,
    overlap_matrix,
    overlap_table,
    soft_max,
)
from broadsheet.moderation.scanners.base import BackgroundArticle, ScanContext

ARTICLE_CACHE_SIZE = 256


class EvidenceReader:
    """Computes ``Evidence`` for batches of scan contexts with one embedder."""

    def __init__(self, embedder: emb.Backend | None = None) -> None:
        self._embedder = embedder
        self._articles: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._bags: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._block: tuple[list[BackgroundArticle], tuple | None] | None = None
        self._discussion_block: tuple[list[BackgroundArticle], tuple | None] | None = None

    @property
    def embedder(self) -> emb.Backend:
        if self._embedder is None:
            self._embedder = emb.get_backend()
        return self._embedder

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
        comments, comment_bags = self._embed_and_bag([c.text or "" for c in contexts])
        for i in range(len(contexts)):
            out[i].vector = comments[i]
            out[i].bag = comment_bags[i]
        own_discussion, own_lexical = self._own_discussions(contexts, comments, comment_bags, out)
        self._parents(contexts, comments, comment_bags, out)
        # Background articles are usually shared by the whole batch: each is compared once.
        unique: dict[int, BackgroundArticle] = {}
        for c in contexts:
            for b in c.background_articles:
                unique.setdefault(id(b), b)
        self._own_articles(contexts, comments, comment_bags, list(unique.values()), out)
        if unique:
            self._background(contexts, comments, comment_bags, list(unique.values()), out)
            self._background_discussions(
                contexts, comments, comment_bags, own_discussion, own_lexical,
                list(unique.values()), out,
            )
        return out

    def _own_discussions(
        self, contexts: Sequence[ScanContext], comments: np.ndarray,
        comment_bags: list[emb.Bag], out: list[Evidence],
    ) -> tuple[list[np.ndarray | None], list[np.ndarray | None]]:
        """Each comment against its own article's discussion; the similarities and overlaps
        with each discussion comment kept, for the background's discussions to compare."""
        dim = self.embedder.dim
        own_discussion: list[np.ndarray | None] = []
        own_kept: list[np.ndarray | None] = []
        own_lexical: list[np.ndarray | None] = [None] * len(contexts)
        # Comments under one article share its discussion's bags: one overlap call each.
        by_bags: dict[int, list[int]] = {}
        shared_bags: dict[int, emb.TokenBags] = {}
        for i, c in enumerate(contexts):
            sims, kept = discussion_sims(c.article_discussion, comments[i], dim)
            own_discussion.append(sims)
            own_kept.append(kept)
            out[i].discussion_sim = nearest_mean(sims)
            if sims is not None and kept is not None:
                out[i].discussion_mean = float(sims.mean())
                bags = c.article_discussion_bags
                # KEPT has a row per discussion comment.
                if bags is not None and len(bags) == len(kept):
                    by_bags.setdefault(id(bags), []).append(i)
                    shared_bags[id(bags)] = bags
        for key, members in by_bags.items():
            lexical = shared_bags[key].overlaps([comment_bags[i] for i in members])
            for row, i in enumerate(members):
                own_lexical[i] = lexical[row][own_kept[i]]
                out[i].discussion_overlap = nearest_mean(own_lexical[i])
        return own_discussion, own_lexical

    def _parents(
        self, contexts: Sequence[ScanContext], comments: np.ndarray,
        comment_bags: list[emb.Bag], out: list[Evidence],
    ) -> None:
        parent_idx = [i for i, c in enumerate(contexts) if (c.parent_text or "").strip()]
        if parent_idx:
            parents, parent_bags = self._embed_and_bag(
                [contexts[i].parent_text or "" for i in parent_idx]
            )
            for row, i in enumerate(parent_idx):
                out[i].parent_sim = float(comments[i] @ parents[row])
                out[i].parent_overlap = overlap(comment_bags[i], parent_bags[row])

    def _own_articles(
        self, contexts: Sequence[ScanContext], comments: np.ndarray,
        comment_bags: list[emb.Bag], background: list[BackgroundArticle],
        out: list[Evidence],
    ) -> None:
        """Each comment against its own article's headline, deck and body."""
        dim = self.embedder.dim

        def has_text(title: str, deck: str) -> bool:
            return bool((title or "").strip() or (deck or "").strip())

        def usable(stored: np.ndarray | None) -> bool:
            return (
                stored is not None
                and stored.ndim == 2
                and len(stored) > 0
                and (stored.shape[1] == dim)
            )

        # Headline+deck, embedded in one call, for every article without usable vectors.
        wanted = [
            (c.article_title or "", c.article_deck or "")
            for c in contexts
            if not usable(c.article_embeddings) and has_text(c.article_title, c.article_deck)
        ] + [
            (b.title or "", b.deck or "")
            for b in background
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
                out[i].article_overlap = overlap(comment_bags[i], bag)

    def _background_block(self, articles: list[BackgroundArticle]):
        """Stacked chunk vectors and overlap table of the background articles, kept while the
        pipeline keeps passing the same objects (it caches them per process)."""
        cached = self._block
        if cached is not None and _same_objects(cached[0], articles):
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
            bags = overlap_table(self._article_bags([(b.title or "", b.deck or "") for b in arts]))
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
        bg_overlap = overlap_matrix(comment_bags, *bags)
        mask = np.zeros(sims.shape, dtype=bool)
        for i, c in enumerate(contexts):
            mask[i, columns_of(c.background_articles, cols)] = True
        counts = mask.sum(axis=1)
        masked = np.where(mask, sims, -np.inf)
        top = masked.max(axis=1)
        t = BACKGROUND_TEMPERATURE
        with np.errstate(invalid="ignore", divide="ignore"):
            spread = np.where(mask, np.exp(t * (sims - top[:, None])), 0.0).sum(axis=1)
            soft = top + np.log(spread / counts) / t
            mean_overlap = np.where(mask, bg_overlap, 0.0).sum(axis=1) / counts
        closest = masked.argmax(axis=1)
        for row in np.flatnonzero(counts >= BACKGROUND_MIN):
            ev = out[row]
            if ev.article_sim is None:
                continue
            ev.background_sim = float(soft[row])
            ev.background_overlap = float(mean_overlap[row])
            ev.background_size = int(counts[row])
            ev.closest_other = (arts[closest[row]].title, float(sims[row, closest[row]]))

    def _discussion_block_for(self, articles: list[BackgroundArticle]):
        """The background articles' discussions as one padded (dim, articles x longest)
        matrix, kept while the same objects keep coming (the pipeline refreshes them every
        little while)."""
        cached = self._discussion_block
        if cached is not None and _same_objects(cached[0], articles):
            return cached[1]
        dim = self.embedder.dim
        # Each usable article with its discussion's vectors (and token bags, if any).
        usable = [
            (b, b.discussion, b.discussion_bags) for b in articles
            if b.discussion is not None and b.discussion.ndim == 2
            and b.discussion.shape[1] == dim and len(b.discussion) >= DISCUSSION_MIN
        ]
        block = None
        if len(usable) >= BACKGROUND_MIN:
            longest = max(len(vectors) for _, vectors, _ in usable)
            padded = np.zeros((len(usable), longest, dim), dtype=np.float32)
            padding = np.ones((len(usable), longest), dtype=bool)
            for k, (_, vectors, _) in enumerate(usable):
                padded[k, : len(vectors)] = vectors
                padding[k, : len(vectors)] = False
            # Token bags in the same padded layout, when every discussion has them.
            bags = None
            with_bags = [
                (vectors, tb) for _, vectors, tb in usable
                if tb is not None and len(tb) == len(vectors)
            ]
            if len(with_bags) == len(usable):
                empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
                rows: list[emb.Bag] = []
                for vectors, tb in with_bags:
                    rows += tb.bags
                    rows += [empty] * (longest - len(vectors))
                bags = emb.TokenBags(rows)
            block = (
                {id(b): k for k, (b, _, _) in enumerate(usable)},
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
        newest min(own, background) comments of each (both come newest first); otherwise a
        small own discussion would look off-topic against large ones
        (tests/moderation/test_relevance_discussion.py)."""
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
        near = nearest_in_rows(sims, enough)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(enough, np.where(present, sims, 0.0).sum(axis=2) / valid, np.nan)
        near_lexical = None
        if bags is not None:
            lexical = bags.overlaps(list(comment_bags)).reshape(len(contexts), count, longest)
            lexical[~present] = -np.inf
            near_lexical = nearest_in_rows(lexical, enough)
        t = DISCUSSION_TEMPERATURE
        for i, c in enumerate(contexts):
            if out[i].discussion_sim is None:
                continue
            picked = columns_of(c.background_articles, cols)
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
                own_at = nearest_means_by_size(own)[sizes]
            gap = soft_max(values[keep] - own_at, t)
            out[i].background_discussion_sim = out[i].discussion_sim + gap
            own_mean_at = out[i].discussion_mean if whole else means_by_size(own)[sizes]
            gap = soft_max(mean[i, picked][keep] - own_mean_at, t)
            out[i].background_discussion_mean = out[i].discussion_mean + gap
            own_lex = own_lexical[i]
            if near_lexical is not None and own_lex is not None:
                lex_at = out[i].discussion_overlap if whole else (
                    nearest_means_by_size(own_lex)[sizes]
                )
                gap = soft_max(near_lexical[i, picked][keep] - lex_at, t)
                out[i].background_discussion_overlap = out[i].discussion_overlap + gap


def _same_objects(cached: list[BackgroundArticle], articles: list[BackgroundArticle]) -> bool:
    """Whether ARTICLES are the very objects cached (the pipeline passes the same ones while
    its per-process cache holds them)."""
    return len(cached) == len(articles) and all(
        a is b for a, b in zip(cached, articles, strict=True)
    )
