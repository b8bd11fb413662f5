"""The abuse scanner: obscenity, slurs, attacks on groups and personal attacks.

Scores each comment with the shipped linear model (numpy only; see ``broadsheet.moderation.ml``)
and explains the score by the words that pushed it up most, highlighted in the original text.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.cues import NEGATORS, REPORTING, quoted_mask
from broadsheet.moderation.ml.features import SECOND_PERSON, canonical
from broadsheet.moderation.ml.linear import DEFAULT_MODEL, LinearModel, Scored
from broadsheet.moderation.ml.spans import HighlightRule, offending_spans
from broadsheet.moderation.ml.tagger import DEFAULT_TAGGER, SpanTagger
from broadsheet.moderation.scanners.abuse_shapes import discounted_probability, find_shapes
from broadsheet.moderation.scanners.base import Reason, ScanContext, ScanResult, Span
from broadsheet.moderation.scanners.normalize import tokenize
from broadsheet.moderation.scanners.wordlist import PhraseMatcher

# Below this score nothing is worth explaining to a moderator (or below the model's own
# auto-mode hold threshold, when that is lower: whatever is held gets a reason).
EXPLAIN_FROM = 0.3
# An insult counts as aimed at a person when a second-person word sits this close to it.
ATTACK_WINDOW = 4

# Threats and incitement are rare in the training sets, so the model scores them low ("kill
# yourself" ~0.3). These phrases lift the score to THREAT_SCORE: above any sensible hold
# threshold, below the default reject one, so a human always sees them (a quotation can
# look the same). Matched through the usual disguises by the word-list matcher.
THREAT_SCORE = 0.95
THREAT_PHRASES = (
    "kill yourself", "kill urself", "kill yourselves", "kys", "go die", "go and die",
    "hope you die", "hope u die", "hope you get raped", "i will kill you", "ill kill you",
    "im going to kill you", "gonna kill you", "i will find you", "should be shot",
    "should be hanged", "should be killed", "should be gassed", "should be exterminated",
    "should all be shot", "should all be hanged", "should all be killed", "should all die",
    "deserve to die", "deserves to die", "need to be exterminated", "must be exterminated",
    "gas them", "gas them all", "hang them all", "shoot them all", "kill them all",
    "put them in ovens",
    # Threats that need no rude word: idioms of menace, not tied to any one test case.
    "know where you live", "watch your back", "deserves a bullet", "deserve a bullet",
    "your days are numbered", "put you in the ground", "coming for you", "come for you",
    "line them up against the wall", "break every bone", "burn your house",
)  # fmt: skip
_threats = PhraseMatcher(THREAT_PHRASES)
# 'Single-quoted' words: the quote opens after a space and closes before one (not "don't").
_SINGLE_QUOTED = re.compile(r"(?<![\w'])'[^'\n]{2,200}'(?![\w'])")

_lock = threading.Lock()
_models: dict[str, LinearModel] = {}
_taggers: dict[str, SpanTagger | None] = {}


def highlight_rule(model: LinearModel) -> HighlightRule:
    """The rule fitted on civil_toxic_spans when the model was trained (see ml/spans.py)."""
    fitted = model.meta.get("highlight") or {}
    return HighlightRule(**{k: fitted[k] for k in ("min_push", "min_share", "max_words")
                            if k in fitted})


def _threats_meant(text: str) -> list:
    """Threat phrases in TEXT that are not negated, reported or inside quotation marks
    ("I would never say 'I hope you die'", "he told me he would kill me")."""
    words = tokenize(text)
    quoted = quoted_mask(text, [t.start for t in words])
    single = [(q.start(), q.end()) for q in _SINGLE_QUOTED.finditer(text)]
    meant = []
    for m in _threats.find(words):
        first = next((k for k, t in enumerate(words) if t.start >= m.start), 0)
        before = {t.text for t in words[max(0, first - 5) : first]}
        in_single = any(a <= m.start < b for a, b in single)
        if quoted[first] or in_single or before & (NEGATORS | REPORTING):
            continue
        meant.append(m)
    return meant


def model_path() -> Path:
    # An override lets an operator try a retrained model without a deploy.
    return Path(_model_key(os.environ.get("BROADSHEET_ABUSE_MODEL", "")))


@lru_cache(maxsize=8)
def _model_key(override: str) -> str:
    # Asked for every comment scanned: building the Path each time cost more than scoring a
    # short comment's words.
    return str(Path(override)) if override else str(DEFAULT_MODEL)


def get_model(path: str | Path | None = None) -> LinearModel:
    """The model, loaded once per process and shared by every scanner instance."""
    key = str(path) if path else _model_key(os.environ.get("BROADSHEET_ABUSE_MODEL", ""))
    model = _models.get(key)
    if model is None:
        with _lock:
            model = _models.get(key)
            if model is None:
                model = LinearModel.load(key)
                _models[key] = model
    return model


def get_tagger(path: str | Path | None = None) -> SpanTagger | None:
    """The span tagger, loaded once per process; None when its file is not there (then the
    words that pushed the score hardest are highlighted, by the model's fitted rule)."""
    key = str(path or os.environ.get("BROADSHEET_SPAN_TAGGER", str(DEFAULT_TAGGER)))
    if key not in _taggers:
        with _lock:
            if key not in _taggers:
                _taggers[key] = SpanTagger.load(key) if Path(key).is_file() else None
    return _taggers[key]


def highlighted(text: str, scored: Scored, model: LinearModel) -> list[tuple[int, int]]:
    """(start, end) in TEXT of what the desk highlights as offending; may be empty."""
    tagger = get_tagger()
    if tagger is None:
        return offending_spans(text, scored, highlight_rule(model))
    return tagger.spans(text, scored)


class AbuseScanner:
    name = "abuse"

    def __init__(self, model_file: str | Path | None = None) -> None:
        self._model_file = model_file

    @property
    def model(self) -> LinearModel:
        return get_model(self._model_file)

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]:
        scored = self.model.explain([c.text for c in contexts])
        return [self._result(ctx, s) for ctx, s in zip(contexts, scored, strict=False)]

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Just the probabilities, for evaluation runs that need no explanation."""
        return self.model.predict_proba(list(texts))

    def _result(self, ctx: ScanContext, s: Scored) -> ScanResult:
        shapes = find_shapes(ctx.text, s.features.tokens)
        score = float(min(1.0, max(0.0, discounted_probability(self.model, s, shapes, ctx.text))))
        result = ScanResult(scanner=self.name, score=score)
        threats = _threats_meant(ctx.text)
        if threats:
            score = result.score = max(score, THREAT_SCORE)
            words = tokenize(ctx.text)
            aimed_at_you = any(
                t.text in SECOND_PERSON
                for t in words
                if any(m.start <= t.start < m.end for m in threats)
            )
            result.reasons.append(
                Reason(
                    "personal-attack" if aimed_at_you else "abusive",
                    "threat or incitement: " + ", ".join(dict.fromkeys(m.entry for m in threats)),
                    score,
                    [Span(m.start, m.end) for m in threats],
                )
            )
            return result
        if shapes.harm or shapes.dehumanised_group:
            score = result.score = max(score, THREAT_SCORE)
            cue_at = shapes.harm + shapes.dehumanised_group
            marked = {canonical(s.features.tokens[k]) for k in cue_at}
            what = "wish or promise of harm" if shapes.harm else "a group called less than human"
            result.reasons.append(
                Reason("abusive", f"{what}: {', '.join(sorted(marked))}", score,
                       [Span(t.start, t.end) for t in tokenize(ctx.text)
                        if canonical(t) in marked])
            )
            return result
        if score < min(EXPLAIN_FROM, float(self.model.meta.get("hold", EXPLAIN_FROM))):
            return result
        spans = [Span(a, b) for a, b in highlighted(ctx.text, s, self.model)]
        hot_words = {canonical(t) for t in tokenize(ctx.text) if any(
            sp.start <= t.start < sp.end for sp in spans)}
        canon = [canonical(t) for t in s.features.tokens]
        hot = [i for i, w in enumerate(canon) if w in hot_words]
        aimed = any(
            canon[j] in SECOND_PERSON
            for i in hot
            for j in range(max(0, i - ATTACK_WINDOW), min(len(canon), i + ATTACK_WINDOW + 1))
        )
        shown = ", ".join(sorted(hot_words)) or "the wording as a whole"
        if aimed:
            result.reasons.append(
                Reason("personal-attack", f"insult aimed at a person: {shown}", score, spans)
            )
        else:
            result.reasons.append(Reason("abusive", f"abusive language: {shown}", score, spans))
        return result
