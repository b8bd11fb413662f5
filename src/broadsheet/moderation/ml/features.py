"""Hashed word and character n-gram features, identical at training and at run time.

Hashing uses zlib.crc32, which is stable across processes and Python versions (unlike the
built-in hash(), which is salted per process), so a model trained in one process scores the
same features in another.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from zlib import crc32

import numpy as np

from broadsheet.moderation.ml.cues import quoted_mask, structural_cues
from broadsheet.moderation.scanners.normalize import Token, tokenize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Disguised words have several readings ("f*ck": fack, feck, ... fuck; "shiiiit": shit or
# shiit); when one of them is a known obscenity or insult, that is the one the model sees.
OBSCENITIES: frozenset[str] = frozenset(
    [
        "fuck",
        "fucks",
        "fucker",
        "fuckers",
        "fucking",
        "fucked",
        "motherfucker",
        "shit",
        "shits",
        "shitty",
        "bullshit",
        "bitch",
        "bitches",
        "bastard",
        "bastards",
        "asshole",
        "assholes",
        "ass",
        "arse",
        "dick",
        "dickhead",
        "cock",
        "cunt",
        "cunts",
        "pussy",
        "whore",
        "slut",
        "twat",
        "wanker",
        "prick",
        "cocksucker",
        "retard",
        "retarded",
        "retards",
        "faggot",
        "faggots",
        "fag",
        "fags",
        "nigger",
        "niggers",
        "nigga",
        "niggas",
        "kike",
        "spic",
        "chink",
        "tranny",
        "dyke",
        "douche",
        "douchebag",
        "idiot",
        "idiots",
        "moron",
        "morons",
        "stupid",
        "dumb",
        "loser",
        "losers",
        "scum",
        "pathetic",
        "crap",
        "damn",
        "hell",
        "suck",
        "sucks",
    ]
)

# Cue words for features no single n-gram can express: "some obscenity or insult", "aimed
# at you", "a group of people named together with contempt". They let what the model learned
# from one word carry over to others of its kind that were rare in training.
INSULTS: frozenset[str] = OBSCENITIES | _words(
    """
    piss pissed bollocks bugger jackass dumbass dipshit shithead scumbag imbecile cretin skank
    hoe hoes thot coon wetback beaner raghead towelhead gook paki kys stfu gtfo wtf ugly fat
    trash garbage disgusting vile freak freaks clown clowns hypocrite liar liars traitor
    """
)
DEHUMANISING: frozenset[str] = _words(
    """
    animal animals savage savages vermin subhuman subhumans parasite parasites pig pigs rat rats
    cockroach cockroaches monkey monkeys ape apes beast beasts barbaric barbarian barbarians
    uncivilized uncivilised filth filthy infestation invaders breed breeding scum degenerate
    degenerates mongrel mongrels primitive
    """
)
GROUPS: frozenset[str] = _words(
    """
    muslim muslims islam islamic jew jews jewish black blacks white whites arab arabs mexican
    mexicans immigrant immigrants illegal illegals refugee refugees gay gays lesbian lesbians
    homosexual homosexuals trans transgender women woman girls feminist feminists asian asians
    african africans christian christians catholic catholics hindu hindus chinese indian indians
    latino latinos hispanic hispanics foreigner foreigners migrant migrants negro negroes
    liberal liberals democrat democrats republican republicans conservative conservatives
    disabled old elderly
    """
)
SECOND_PERSON: frozenset[str] = _words("you your youre yours yourself yourselves u ur ya yall")
_CUE_WINDOW = 3

_MAX_TOKEN = 30

# Dataset fingerprints and markup that carry no meaning for a news comment. Removing them at
# training time stops the model from learning "this looks like a tweet from the set that is
# 83 % positive"; removing them at run time keeps the two inputs alike.
_RT = re.compile(r"(?:^|\s)RT\s+@\w+:?", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,}")
_PLACEHOLDER = re.compile(r"<(?:user|url|percent|money|time|date|email|phone)>", re.IGNORECASE)
_NUMBER_TAG = re.compile(r"<number>", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+|\bURL\b")
_WIKI_STAMP = re.compile(
    r"\d{1,2}:\d{2},? \d{1,2} [A-Z][a-z]+ \d{4} \(UTC\)|\(UTC\)|\(talk\)|\[\[|\]\]|\{\{|\}\}|==+"
)
_NUM = re.compile(r"^\d+$")
_RUN3 = re.compile(r"(.)\1{2,}")


def clean(text: str) -> str:
    """Strip markup and dataset artefacts before tokenising."""
    # Twice: some sources double-escape ("&amp;#128514;").
    text = html.unescape(html.unescape(text))
    text = _RT.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _PLACEHOLDER.sub(" ", text)
    text = _NUMBER_TAG.sub(" 0 ", text)
    text = _URL.sub(" ", text)
    text = _WIKI_STAMP.sub(" ", text)
    return text


def _pick(forms: tuple[str, ...]) -> str:
    for form in forms:
        if form in OBSCENITIES:
            return form
    return forms[0]


def canonical(token: Token) -> str:
    """The one spelling of a token that the model sees."""
    return _canonical(token.forms)


@lru_cache(maxsize=100_000)
def _canonical(forms: tuple[str, ...]) -> str:
    # Cached per spelling: a scan asks for every word's at least twice (features, shapes),
    # and words repeat across comments.
    word = _pick(forms)
    if _RUN3.search(word):
        # A stretched word: "shiiiit" is "shit", "asssss" is "ass", "cooool" stays "cool".
        two, one = _RUN3.sub(r"\1\1", word), _RUN3.sub(r"\1", word)
        word = one if one in OBSCENITIES and two not in OBSCENITIES else two
    word = word[:_MAX_TOKEN]
    return "0" if _NUM.match(word) else word


def model_tokens(text: str) -> list[Token]:
    """Tokens of the text as the model sees it. Spans index the *cleaned* text."""
    return tokenize(clean(text))


@dataclass(frozen=True)
class FeatureConfig:
    n_buckets: int = 1 << 20
    char_min: int = 2
    char_max: int = 5
    # Longest word n-gram: 2 = unigrams and bigrams, 3 adds trigrams. Model files saved
    # before this field existed have no "word_max" and load with 2, as they were trained.
    word_max: int = 2
    # 1 = the lexicon cues only; 2 adds the curated shapes of ml/cues.py (aimed, negated,
    # reported, quoted insults; threats; dehumanised groups). Older files load with 1.
    cues: int = 1
    # Dimensions of the static sentence embedding added as dense features (0 = none).
    embed_dim: int = 0
    # The dense block's scale against the unit-length sparse blocks.
    embed_scale: float = 1.0

    def to_dict(self) -> dict[str, int | float]:
        return {
            "n_buckets": self.n_buckets,
            "char_min": self.char_min,
            "char_max": self.char_max,
            "word_max": self.word_max,
            "cues": self.cues,
            "embed_dim": self.embed_dim,
            "embed_scale": self.embed_scale,
        }


def _h(s: str, mask: int) -> int:
    return zlib.crc32(s.encode("utf-8")) & mask


@lru_cache(maxsize=200_000)
def _word_feats(
    word: str, n_buckets: int, cmin: int, cmax: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(unigram bucket,), (char n-gram buckets...) of one word; cached as words repeat."""
    mask = n_buckets - 1
    uni = (_h("w|" + word, mask),)
    padded = " " + word + " "
    grams = []
    for n in range(cmin, cmax + 1):
        for i in range(len(padded) - n + 1):
            grams.append(_h("c|" + padded[i : i + n], mask))
    return uni, tuple(grams)


def _cues(words: list[str]) -> list[tuple[str, int]]:
    """(cue name, index of the word it is pinned to) for the lexicon cue features."""
    cues: list[tuple[str, int]] = []
    groups = [k for k, w in enumerate(words) if w in GROUPS]
    for k, w in enumerate(words):
        kinds = []
        if w in INSULTS:
            kinds.append("insult")
        if w in DEHUMANISING:
            kinds.append("dehuman")
        for kind in kinds:
            cues.append((kind, k))
            near = words[max(0, k - _CUE_WINDOW) : k + _CUE_WINDOW + 1]
            if any(x in SECOND_PERSON for x in near):
                cues.append((kind + "+you", k))
            if groups:
                cues.append((kind + "+group", k))
    return cues


@dataclass
class TextFeatures:
    """Sparse features of one text, plus which word each feature came from.

    ``owner[k]`` is the index into ``tokens`` of the word feature k belongs to (bigrams are
    given to their second word), so the model can say which words pushed the score up.
    """

    indices: np.ndarray  # int64 bucket ids
    values: np.ndarray  # float32, word block and char block each L2-normalised
    owner: np.ndarray  # int32 token index
    tokens: list[Token]


def featurize(text: str, cfg: FeatureConfig) -> TextFeatures:
    cleaned = clean(text)
    tokens = tokenize(cleaned)
    words = [canonical(t) for t in tokens]
    mask = cfg.n_buckets - 1
    w_idx: list[int] = []
    w_own: list[int] = []
    c_idx: list[int] = []
    c_own: list[int] = []
    trigrams = cfg.word_max >= 3
    # Written for few calls per word (every word of every comment scanned comes here): _h
    # inlined, the lists grown with += rather than append/extend. Same features, same order.
    for k, word in enumerate(words):
        uni, grams = _word_feats(word, cfg.n_buckets, cfg.char_min, cfg.char_max)
        w_idx += uni
        w_own += (k,)
        # Bigrams and trigrams belong to their last word.
        if k >= 1:
            w_idx += (crc32(("b|" + words[k - 1] + " " + word).encode("utf-8")) & mask,)
            w_own += (k,)
        if k >= 2 and trigrams:
            w_idx += (
                crc32(("t|" + words[k - 2] + " " + words[k - 1] + " " + word).encode("utf-8"))
                & mask,
            )
            w_own += (k,)
        c_idx += grams
        c_own += [k] * len(grams)
    cues = _cues(words)
    if cfg.cues >= 2:
        quoted = quoted_mask(cleaned, [t.start for t in tokens])
        cues += structural_cues(words, INSULTS, DEHUMANISING, GROUPS, quoted)
    for name, k in cues:
        w_idx.append(_h("x|" + name, mask))
        w_own.append(k)
    # Binary presence per block: dedupe within the block, then scale to unit length so long
    # comments do not score high just for having many features.
    parts_i, parts_v, parts_o = [], [], []
    for idx, own in ((w_idx, w_own), (c_idx, c_own)):
        if not idx:
            continue
        arr = np.asarray(idx, dtype=np.int64)
        uniq, first = np.unique(arr, return_index=True)
        parts_i.append(uniq)
        parts_v.append(np.full(len(uniq), 1.0 / np.sqrt(len(uniq)), dtype=np.float32))
        parts_o.append(np.asarray(own, dtype=np.int32)[first])
    if not parts_i:
        empty = np.zeros(0, dtype=np.int64)
        return TextFeatures(empty, np.zeros(0, np.float32), np.zeros(0, np.int32), tokens)
    return TextFeatures(
        np.concatenate(parts_i), np.concatenate(parts_v), np.concatenate(parts_o), tokens
    )
