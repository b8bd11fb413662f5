"""The on-topic rule: does the comment relate to its article, or to the comment it answers?

Score = how likely the comment is OFF-topic, from the cosine similarity of its embedding to
the article's chunks (best chunk) and, for a reply, to its parent comment. The two are
turned into probabilities by logistic calibrations fitted on matched vs mismatched pairs
(scripts/eval_relevance.py --calibrate, coefficients in the embedder's sidecar JSON), and the
more favourable one wins: a reply that answers its parent is on-topic even if it never
mentions the article.

Similarity carries little evidence for a few words ("Agreed.", "Well said"), so short
comments are pulled towards a low "don't know" score instead of being flagged.
"""

from __future__ import annotations

import math
import random
import re
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.scanners.base import Reason, ScanContext, ScanResult

# Fallbacks when the sidecar has no calibration for the active backend (e.g. the full
# MiniLM was never calibrated on this install): slope/intercept of sigmoid(a + b * sim).
DEFAULT_CALIBRATION = {"article": (3.0, -12.0), "parent": (3.0, -12.0)}
# Below this many words the similarity is mostly noise; the score is blended towards
# SHORT_PRIOR in proportion to how far short of it the comment is.
FULL_EVIDENCE_WORDS = 8
SHORT_PRIOR = 0.2
# Moderators only see a reason when the scanner leans towards off-topic.
REASON_MIN_SCORE = 0.5
ARTICLE_CACHE_SIZE = 256

_WORD = re.compile(r"\w+", re.UNICODE)


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def load_calibration(backend_name: str) -> dict[str, tuple[float, float]]:
    try:
        table = emb.sidecar().get("calibration", {})
    except (OSError, ValueError):
        table = {}
    entry = table.get(backend_name) or {}
    cal = dict(DEFAULT_CALIBRATION)
    for key in ("article", "parent"):
        if key in entry:
            a, b = entry[key]
            cal[key] = (float(a), float(b))
    return cal


class RelevanceScanner:
    name = "relevance"

    def __init__(
        self,
        embedder: emb.Backend | None = None,
        calibration: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self._embedder = embedder
        self._calibration = calibration
        self._articles: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()

    @property
    def embedder(self) -> emb.Backend:
        if self._embedder is None:
            self._embedder = emb.get_backend()
        return self._embedder

    @property
    def calibration(self) -> dict[str, tuple[float, float]]:
        if self._calibration is None:
            self._calibration = load_calibration(self.embedder.name)
        return self._calibration

    def _embed_articles(self, keys: list[tuple[str, str]]) -> None:
        """Embed headline+deck for contexts without stored vectors, remembering recent ones."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._articles]
        if missing:
            vecs = self.embedder.embed([emb.article_chunks(t, d, "")[0] for t, d in missing])
            for key, vec in zip(missing, vecs, strict=True):
                self._articles[key] = vec[None, :]
        for key in keys:
            self._articles.move_to_end(key)
        while len(self._articles) > ARTICLE_CACHE_SIZE:
            self._articles.popitem(last=False)

    def similarities(
        self, contexts: Sequence[ScanContext]
    ) -> tuple[list[float | None], list[float | None]]:
        """Best article-chunk similarity and parent similarity per context (None = no context)."""
        backend = self.embedder
        comments = backend.embed([c.text or "" for c in contexts])
        parent_idx = [i for i, c in enumerate(contexts) if (c.parent_text or "").strip()]
        parents = backend.embed([contexts[i].parent_text or "" for i in parent_idx])
        parent_sim: list[float | None] = [None] * len(contexts)
        for row, i in enumerate(parent_idx):
            parent_sim[i] = float(comments[i] @ parents[row])

        stored: dict[int, np.ndarray] = {}
        to_embed: list[tuple[str, str]] = []
        for i, c in enumerate(contexts):
            vecs = c.article_embeddings
            # Vectors stored by another backend (different width) cannot be compared.
            if vecs is not None and vecs.ndim == 2 and len(vecs) and vecs.shape[1] == backend.dim:
                stored[i] = vecs
            elif (c.article_title or "").strip() or (c.article_deck or "").strip():
                to_embed.append((c.article_title or "", c.article_deck or ""))
        if to_embed:
            self._embed_articles(to_embed)
        article_sim: list[float | None] = [None] * len(contexts)
        for i, c in enumerate(contexts):
            if i in stored:
                rows = stored[i]
            else:
                rows = self._articles.get((c.article_title or "", c.article_deck or ""))
            if rows is not None:
                article_sim[i] = float(np.max(rows.astype(np.float32) @ comments[i]))
        return article_sim, parent_sim

    def off_topic_probability(
        self, text: str, article_sim: float | None, parent_sim: float | None
    ) -> float | None:
        probs = []
        for kind, sim in (("article", article_sim), ("parent", parent_sim)):
            if sim is not None:
                a, b = self.calibration[kind]
                probs.append(_sigmoid(a + b * sim))
        if not probs:
            return None
        p = min(probs)
        evidence = min(1.0, word_count(text) / FULL_EVIDENCE_WORDS)
        return SHORT_PRIOR + evidence * (p - SHORT_PRIOR)

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]:
        if not contexts:
            return []
        article_sims, parent_sims = self.similarities(contexts)
        results = []
        for ctx, sa, sp in zip(contexts, article_sims, parent_sims, strict=True):
            score = self.off_topic_probability(ctx.text, sa, sp)
            if score is None:
                # Nothing to compare with: the rule cannot be judged, so it is not broken.
                results.append(ScanResult(scanner=self.name, score=0.0))
                continue
            score = float(min(1.0, max(0.0, score)))
            reasons = []
            if score >= REASON_MIN_SCORE:
                reasons.append(Reason(code="off-topic", message=_message(sa, sp), score=score))
            results.append(ScanResult(scanner=self.name, score=score, reasons=reasons))
        return results


def _message(article_sim: float | None, parent_sim: float | None) -> str:
    if article_sim is not None and parent_sim is not None:
        return (
            f"Seems unrelated to the article (similarity {article_sim:.2f}) and to the "
            f"comment it replies to (similarity {parent_sim:.2f})"
        )
    if article_sim is not None:
        return f"Seems unrelated to the article (similarity {article_sim:.2f})"
    return f"Seems unrelated to the comment it replies to (similarity {parent_sim:.2f})"


def build_pairs(
    rows: list[dict], seed: int = 0
) -> tuple[list[ScanContext], list[int]]:
    """Own-context pairs (label 0) and mismatched-context pairs (label 1), deterministically.

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
    for r in rows:
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
        contexts.append(
            ScanContext(
                text=text,
                article_title=other_title,
                article_deck=articles.get(other_title, "") if other_title else "",
                parent_text=other_parent or None,
            )
        )
        labels.append(1)
    return contexts, labels


def build_pairs_and_score(
    rows: list[dict], scanner: RelevanceScanner | None = None, batch_size: int = 256
) -> tuple[list[int], list[float]]:
    """Labels (1 = mismatched context) and off-topic scores for ``moderation eval``."""
    scanner = scanner or RelevanceScanner()
    contexts, labels = build_pairs(rows)
    scores: list[float] = []
    for s in range(0, len(contexts), batch_size):
        scores.extend(r.score for r in scanner.scan_batch(contexts[s : s + batch_size]))
    return labels, scores
