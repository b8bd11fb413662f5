"""The span tagger: which words of a comment a moderator should see highlighted.

A hashed-feature logistic regression over the comment's tokens, trained on the characters
civil_toxic_spans' workers marked (see ``span_training``). Each token is described by its
spelling and de-disguised form, its neighbours (two either side), its character n-grams,
the lexicon cues (obscenity, insult, dehumanising word, group, "you" nearby), how hard the
abuse model's linear score says the word pushed, and where it sits. The tagger gives every
token a probability; a comment gets highlights only when its most likely token reaches
``comment_threshold`` (42 % of the gold comments have none), and then every token at or
above ``token_threshold`` is marked, neighbours joined across the spaces between them as
the workers did.

Run time is numpy only: the weights are one float16 vector in an .npz with a JSON sidecar.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from broadsheet.moderation.ml.features import (
    DEHUMANISING,
    GROUPS,
    INSULTS,
    OBSCENITIES,
    SECOND_PERSON,
    _word_feats,
    canonical,
)
from broadsheet.moderation.ml.linear import LinearModel, Scored, sigmoid
from broadsheet.moderation.ml.spans import chars_of, mean_span_f1
from broadsheet.moderation.scanners.normalize import Token, tokenize

DEFAULT_TAGGER = Path(__file__).resolve().parent / "models" / "spans-v1.npz"
_WINDOW = 2
_YOU_WINDOW = 3


@dataclass(frozen=True)
class TaggerConfig:
    n_buckets: int = 1 << 18
    char_min: int = 3
    char_max: int = 5

    def to_dict(self) -> dict[str, int]:
        return {"n_buckets": self.n_buckets, "char_min": self.char_min,
                "char_max": self.char_max}


def _h(s: str, mask: int) -> int:
    return zlib.crc32(s.encode("utf-8")) & mask


def _lexicon(word: str) -> str:
    if word in OBSCENITIES:
        return "obsc"
    if word in INSULTS:
        return "insult"
    if word in DEHUMANISING:
        return "dehum"
    if word in GROUPS:
        return "group"
    if word in SECOND_PERSON:
        return "you"
    return ""


def _shape(raw: str) -> str:
    if raw.isupper() and len(raw) > 1:
        return "upper"
    if raw[:1].isupper():
        return "title"
    if not raw.isalpha():
        return "mixed"
    return "lower"


def word_pushes(scored: Scored | None) -> dict[str, float]:
    """The abuse model's push on the logit per canonical word (the strongest occurrence).

    The model reads a cleaned copy of the text whose tokens do not line up with the
    original's, so pushes are matched to the original's tokens by spelling."""
    if scored is None:
        return {}
    push = scored.contributions
    out: dict[str, float] = {}
    for token, p in zip(scored.features.tokens, push, strict=True):
        word = canonical(token)
        if p > out.get(word, -np.inf):
            out[word] = float(p)
    return out


def _push_bin(p: float) -> int:
    return int(np.clip(np.floor(p / 0.2), -3, 10))


def token_features(
    text: str, tokens: Sequence[Token], push: dict[str, float], probability: float,
    cfg: TaggerConfig,
) -> list[list[int]]:
    """Hashed feature ids of each token (binary features: present or not)."""
    mask = cfg.n_buckets - 1
    words = [canonical(t) for t in tokens]
    lex = [_lexicon(w) for w in words]
    pushes = [push.get(w, 0.0) for w in words]
    top = max(pushes, default=0.0)
    order = {k: r for r, k in enumerate(np.argsort([-p for p in pushes], kind="stable"))}
    n = len(tokens)
    pad = ["<s>"] * _WINDOW
    ctx = pad + words + ["</s>"] * _WINDOW
    prob_bin = f"prob|{min(int(probability * 10), 9)}"
    len_bin = f"len|{min(int(np.log2(n + 1)), 8)}"
    you_at = [k for k, w in enumerate(words) if w in SECOND_PERSON]
    out: list[list[int]] = []
    for k, word in enumerate(words):
        raw = text[tokens[k].start : tokens[k].end]
        c = k + _WINDOW
        p = pushes[k]
        pb = _push_bin(p)
        rank = min(order[k], 4) if p > 0 else 5
        share = min(int(4 * p / top), 4) if top > 0 and p > 0 else -1
        names = [
            "bias", prob_bin, len_bin,
            f"l1|{ctx[c - 1]}", f"l2|{ctx[c - 2]}", f"r1|{ctx[c + 1]}", f"r2|{ctx[c + 2]}",
            f"bl|{ctx[c - 1]} {word}", f"br|{word} {ctx[c + 1]}",
            f"shape|{_shape(raw)}", f"raw|{raw.lower() != word}",
            f"push|{pb}", f"rank|{rank}", f"share|{share}", f"pr|{pb}|{rank}",
            f"pp|{pb}|{prob_bin}", f"pos|{min(int(5 * k / max(n, 1)), 4)}",
            f"first|{k == 0}", f"last|{k == n - 1}",
        ]
        if lex[k]:
            names += [f"lex|{lex[k]}", f"lexp|{lex[k]}|{pb}", f"lexprob|{lex[k]}|{prob_bin}"]
        for d in (-2, -1, 1, 2):
            if 0 <= k + d < n and lex[k + d]:
                names.append(f"nlex|{d}|{lex[k + d]}")
        if any(abs(j - k) <= _YOU_WINDOW and j != k for j in you_at):
            names.append("you-near")
            if lex[k]:
                names.append(f"you-near|{lex[k]}")
        ids = [_h(s, mask) for s in names]
        uni, grams = _word_feats(word, cfg.n_buckets, cfg.char_min, cfg.char_max)
        ids.extend(uni)
        ids.extend(grams)
        out.append(ids)
    return out


@dataclass
class SpanTagger:
    weights: np.ndarray
    bias: float = 0.0
    cfg: TaggerConfig = field(default_factory=TaggerConfig)
    token_threshold: float = 0.5
    comment_threshold: float = 0.5
    meta: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path = DEFAULT_TAGGER) -> SpanTagger:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                data["weights"].astype(np.float32),
                float(meta["bias"]),
                TaggerConfig(**json.loads(str(data["config"]))),
                float(meta["token_threshold"]),
                float(meta["comment_threshold"]),
                meta,
            )

    def save(self, path: str | Path) -> None:
        meta = self.meta | {"bias": self.bias, "token_threshold": self.token_threshold,
                            "comment_threshold": self.comment_threshold}
        np.savez_compressed(
            path, weights=self.weights.astype(np.float16),
            config=json.dumps(self.cfg.to_dict()), meta=json.dumps(meta),
        )

    def token_probabilities(
        self, text: str, scored: Scored | None, tokens: Sequence[Token] | None = None
    ) -> tuple[list[Token], np.ndarray]:
        """The tokens of TEXT (original offsets) and each one's probability of being marked."""
        toks = list(tokens if tokens is not None else tokenize(text))
        if not toks:
            return toks, np.zeros(0)
        prob = scored.probability if scored is not None else 0.0
        feats = token_features(text, toks, word_pushes(scored), prob, self.cfg)
        z = self.bias + np.fromiter((self.weights[ids].sum() for ids in feats),
                                    dtype=np.float64, count=len(feats))
        return toks, sigmoid(z)

    def spans(self, text: str, scored: Scored | None) -> list[tuple[int, int]]:
        """(start, end) in TEXT of the passages to highlight; [] when nothing offends."""
        toks, probs = self.token_probabilities(text, scored)
        return decode(text, toks, probs, self.token_threshold, self.comment_threshold)


def decode(
    text: str, tokens: Sequence[Token], probs: np.ndarray, token_threshold: float,
    comment_threshold: float,
) -> list[tuple[int, int]]:
    """Marked tokens as spans: nothing unless the top token reaches COMMENT_THRESHOLD; runs
    of marked tokens separated only by spaces become one span, as the workers marked them."""
    if not len(probs) or float(probs.max()) < comment_threshold:
        return []
    spans: list[tuple[int, int]] = []
    for tok, p in zip(tokens, probs, strict=True):
        if p < token_threshold:
            continue
        if spans and not text[spans[-1][1] : tok.start].strip():
            spans[-1] = (spans[-1][0], tok.end)
        else:
            spans.append((tok.start, tok.end))
    return spans


def evaluate_tagger(
    tagger: SpanTagger, model: LinearModel, gold: Sequence[tuple[str, set[int]]]
) -> float:
    """Mean character F1 (SemEval-2021 Task 5) of TAGGER's highlights on GOLD."""
    texts = [t for t, _ in gold]
    predicted = [chars_of(tagger.spans(t, s)) for t, s in zip(texts, model.explain(texts),
                                                              strict=True)]
    return mean_span_f1(predicted, [g for _, g in gold])
