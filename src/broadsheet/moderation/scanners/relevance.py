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

import re
from collections.abc import Sequence

from broadsheet.moderation import embedder as emb
from broadsheet.moderation.relevance import evaluation
from broadsheet.moderation.relevance.calibration import (
    DEFAULT_CALIBRATION,
    REPLY_MODELS,
    article_model,
    linear,
    load_calibration,
    reply_model,
    sigmoid,
)
from broadsheet.moderation.relevance.evaluation import (
    add_background,
    add_discussions,
    build_pairs,
    place_in_file,
    scores_in_batches,
)
from broadsheet.moderation.relevance.evidence import (
    DISCUSSION_MIN,
    DISCUSSION_SIZE,
    Evidence,
    soft_max,
)
from broadsheet.moderation.relevance.reading import EvidenceReader
from broadsheet.moderation.scanners.base import (
    BACKGROUND_ARTICLES,
    Reason,
    ScanContext,
    ScanResult,
    Span,
)

__all__ = [
    "BACKGROUND_ARTICLES",
    "DEFAULT_CALIBRATION",
    "DISCUSSION_MIN",
    "DISCUSSION_SIZE",
    "REPLY_MODELS",
    "Evidence",
    "RelevanceScanner",
    "add_background",
    "add_discussions",
    "build_pairs",
    "build_pairs_and_score",
    "place_in_file",
    "scores_in_batches",
    "self_declared_off_topic",
    "soft_max",
]

# Below this many words the similarity is mostly noise; the score is blended towards
# SHORT_PRIOR in proportion to how far short of it the comment is.
FULL_EVIDENCE_WORDS = 8
SHORT_PRIOR = 0.2
# Moderators only see a reason when the scanner leans towards off-topic.
REASON_MIN_SCORE = 0.5
# The score of a comment whose writer says it is off-topic: over the hold threshold, so
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



def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))



class RelevanceScanner:
    name = "relevance"

    def __init__(
        self,
        embedder: emb.Backend | None = None,
        calibration: dict[str, tuple[float, ...]] | None = None,
    ) -> None:
        self._reader = EvidenceReader(embedder)
        self._calibration = calibration

    @property
    def embedder(self) -> emb.Backend:
        return self._reader.embedder

    @property
    def calibration(self) -> dict[str, tuple[float, ...]]:
        if self._calibration is None:
            self._calibration = load_calibration(self.embedder.name)
        elif not DEFAULT_CALIBRATION.keys() <= self._calibration.keys():
            # A calibration older than one of the models: the defaults fill the gap.
            self._calibration = {**DEFAULT_CALIBRATION, **self._calibration}
        return self._calibration

    def evidence(self, contexts: Sequence[ScanContext]) -> list[Evidence]:
        """Similarities and overlaps of every comment with its article, background, parent."""
        return self._reader.evidence(contexts)

    def article_probability(self, ev: Evidence) -> float | None:
        chosen = article_model(ev)
        if chosen is None:
            return None
        model, features = chosen
        return sigmoid(linear(self.calibration[model], *features))

    def parent_probability(self, ev: Evidence) -> float | None:
        if ev.parent_sim is None:
            return None
        return sigmoid(linear(self.calibration["parent"], ev.parent_sim, ev.parent_overlap))

    def reply_probability(self, ev: Evidence) -> float | None:
        """Article and parent evidence weighed together, for a reply under an article; None
        when either is missing or no reply model was fitted for this backend."""
        chosen = reply_model(ev)
        if chosen is None or chosen[0] not in self.calibration:
            return None
        model, features = chosen
        return sigmoid(linear(self.calibration[model], *features))

    def score(self, text: str, ev: Evidence) -> float | None:
        # Fitted together, a close parent lowers the score by as much as pairs of real replies
        # show; the more favourable of two separate probabilities let a reply's similarity to
        # a parent from another thread rescue it too often (docs/moderation.md has the figures).
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


def build_pairs_and_score(
    rows: list[dict],
    scanner: RelevanceScanner | None = None,
    batch_size: int = 256,
    pool: list[dict] | None = None,
) -> tuple[list[int], list[float]]:
    """``evaluation.build_pairs_and_score`` with a default scanner."""
    return evaluation.build_pairs_and_score(
        rows, scanner or RelevanceScanner(), batch_size=batch_size, pool=pool
    )
