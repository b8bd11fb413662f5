"""The curated shapes of abuse, applied to the model's score at scan time.

The model learns weights for these shapes (ml/cues.py) but they are rare in its training
data, so some are stated outright here:

- a wish or promise of harm against a person or a group ("they should all be shot") and a
  group named with a dehumanising word ("<group> are vermin") are held for a human;
- an insult that is negated in its own clause ("I don't think you're an idiot"), reported
  ("he called me a ...", inside quotation marks) or aimed at oneself ("I'm such an idiot")
  stops counting: its push on the score is taken back out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from broadsheet.moderation.ml.cues import NEGATORS, REPORTING, quoted_mask, structural_cues
from broadsheet.moderation.ml.features import DEHUMANISING, GROUPS, INSULTS, canonical, clean
from broadsheet.moderation.ml.linear import LinearModel, Scored
from broadsheet.moderation.scanners.normalize import Token, tokenize

# Punctuation that ends the clause a negation or a reporting verb reaches over.
_CLAUSE_BREAK = re.compile(r"[,;:.!?()\u2013\u2014]|\bbut\b", re.IGNORECASE)
_SELF = frozenset(["i", "im", "me", "myself", "am", "ive", "id"])
_YOU = frozenset(["you", "youre", "your", "u", "ur"])
_SCOPE = 6


@dataclass
class Shapes:
    harm: list[int] = field(default_factory=list)  # token indices of wished/promised harm
    dehumanised_group: list[int] = field(default_factory=list)
    discounted: set[int] = field(default_factory=set)  # insults negated/reported/self-aimed


def _same_clause(text: str, tokens, a: int, b: int) -> bool:
    return not _CLAUSE_BREAK.search(text[tokens[a].end : tokens[b].start])


def find_shapes(text: str, tokens: Sequence[Token] | None = None) -> Shapes:
    """The shapes in TEXT, by token index into ``tokenize(clean(text))`` (the model's tokens;
    pass them as TOKENS when the model has already made them)."""
    cleaned = clean(text)
    tokens = tokenize(cleaned) if tokens is None else tokens
    words = [canonical(t) for t in tokens]
    quoted = quoted_mask(cleaned, [t.start for t in tokens])
    shapes = Shapes()
    def clause_before(k: int) -> list[int]:
        return [j for j in range(max(0, k - _SCOPE), k) if _same_clause(cleaned, tokens, j, k)]

    for name, k in structural_cues(words, INSULTS, DEHUMANISING, GROUPS, quoted):
        if name == "threat@wish":
            # "the troll said I should be shot" reports a threat; it does not make one.
            if not quoted[k] and not any(words[j] in REPORTING for j in clause_before(k)):
                shapes.harm.append(k)
        elif name == "dehuman@group-are":
            shapes.dehumanised_group.append(k)
    for k, w in enumerate(words):
        if w not in INSULTS:
            continue
        reach = clause_before(k)
        negated_or_reported = quoted[k] or any(words[j] in NEGATORS | REPORTING for j in reach)
        near = reach[-4:]
        self_aimed = any(words[j] in _SELF for j in near) and not any(
            words[j] in _YOU for j in near
        )
        if negated_or_reported or self_aimed:
            shapes.discounted.add(k)
    return shapes


def discounted_probability(
    model: LinearModel, scored: Scored, shapes: Shapes, text: str | None = None
) -> float:
    """The score with the discounted insults' upward push taken back out (TEXT: the comment,
    for a model fused with the pretrained one, whose push is the change in its logit without
    those words)."""
    if not shapes.discounted:
        return scored.probability
    push = scored.contributions
    taken = float(sum(max(0.0, push[k]) for k in shapes.discounted if k < len(push)))
    if model.fusion_weight and text is not None:
        taken += _pretrained_push(model, scored, shapes, text)
    if taken <= 0:
        return scored.probability
    slope, offset = model.calibration
    p = min(max(scored.probability, 1e-9), 1 - 1e-9)
    raw = (np.log(p / (1 - p)) - offset) / slope
    return float(model.calibrate(np.array([raw - taken]))[0])


def _pretrained_push(model: LinearModel, scored: Scored, shapes: Shapes, text: str) -> float:
    from broadsheet.moderation.ml.pretrained import get_scorer

    tokens = scored.features.tokens
    words = {w for k in shapes.discounted if k < len(tokens)
             for w in (canonical(tokens[k]), tokens[k].text.lower())}
    scorer = get_scorer()
    return max(0.0, model.fusion_weight * (scorer.logit(text) - scorer.logit(text, drop=words)))
