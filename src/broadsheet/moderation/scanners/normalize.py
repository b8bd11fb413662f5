"""Text normalisation that sees through the usual ways of disguising a word.

Commenters hide words from filters with look-alike symbols (``sh1t``, ``@ss``, ``a$$``),
spacing or punctuation between letters (``f u c k``, ``f.u.c.k``), stretched letters
(``fuuuuck``), accents and look-alike letters from other alphabets, a masking star
(``f*ck``) and invisible characters. :func:`tokenize` undoes these and returns tokens that
remember where they came from in the original text, so a match can be highlighted for the
moderator.

Each token carries a few candidate spellings (``forms``) because some disguises are ambiguous
(``1`` may stand for ``i`` or ``l``; a leading ``@`` is a mention or an ``a``). Matching code
compares words through :func:`squeeze`, which collapses repeated letters, and
:func:`is_stretch_of`, which decides whether a repeated letter may be a stretch.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby

# Symbols and digits people put in place of letters. Only applied inside tokens that also
# contain a real letter, so plain numbers ("2016", "$500") are left alone.
LEET: dict[str, str] = {
    "0": "o",
    "1": "i",
    "3": "e",
    "4": "a",
    "5": "s",
    "7": "t",
    "8": "b",
    "9": "g",
    "@": "a",
    "$": "s",
    "!": "i",
    "|": "i",
    "+": "t",
    "€": "e",
    "£": "l",
}
# Second readings for ambiguous substitutes.
LEET_ALT: dict[str, str] = {"1": "l", "|": "l", "!": "l", "9": "q", "0": "o"}

# Cyrillic and Greek letters that look like Latin ones; NFKD does not map them.
HOMOGLYPHS: dict[str, str] = {
    "а": "a", "в": "b", "с": "c", "е": "e", "ё": "e", "һ": "h", "і": "i", "ј": "j",
    "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "т": "t", "у": "y", "х": "x",
    "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "α": "a", "β": "b", "ε": "e", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
}  # fmt: skip

# Characters that can sit inside a disguised word. "*" masks a letter; the rest are LEET.
_SYMBOLS = frozenset(LEET) - frozenset("0123456789") | {"*"}
# Symbols that are usually ordinary punctuation when they end a word ("hi!", "me|").
_TRAILING_PUNCT = frozenset("!|+*")
# Separators allowed between the single letters of a spaced-out word ("f.u.c.k", "f u c k").
_SPACERS = frozenset(" .-_*,/\\~·•'\"")
_APOSTROPHES = frozenset("'\u2019\u02bc")
_VOWELS = "aeiouy"
_ONE_LETTER_WORDS = frozenset("aiu")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@dataclass(frozen=True)
class Token:
    """A word of the comment after normalisation.

    ``forms`` holds the candidate spellings, the most likely first; all are lower-case ASCII
    where the input allowed. ``start``/``end`` index the original text.
    """

    forms: tuple[str, ...]
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.forms[0]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Map one character to lower-case ASCII where it has an obvious Latin reading."""
    if ch in _INVISIBLE:
        return ""
    low = ch.lower()
    if low in HOMOGLYPHS:
        return HOMOGLYPHS[low]
    if low.isascii():
        return low
    # NFKD splits accents off ("ü" -> "u" + combining mark) and maps full-width and
    # mathematical letters to plain ones.
    decomposed = unicodedata.normalize("NFKD", low)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.lower() if base else low


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in _SYMBOLS


def squeeze(word: str) -> str:
    """Collapse runs of the same letter: 'fuuuuck' -> 'fuck', 'good' -> 'god'."""
    return "".join(k for k, _ in groupby(word))


def runs(word: str) -> tuple[int, ...]:
    return tuple(len(list(g)) for _, g in groupby(word))


def is_stretch_of(token: str, entry: str) -> bool:
    """True when ``token`` spells ``entry`` exactly or with letters stretched.

    Both must have the same :func:`squeeze`. A doubled letter is ordinary spelling ("good" is
    not a stretched "god"), so a token counts as stretched only when some letter repeats at
    least three times, and then each run must be at least as long as the entry's.
    """
    if token == entry:
        return True
    t_runs, e_runs = runs(token), runs(entry)
    if len(t_runs) != len(e_runs) or max(t_runs, default=0) < 3:
        return False
    return all(t >= e for t, e in zip(t_runs, e_runs, strict=False))


def _deleet(raw: str) -> tuple[list[str], int]:
    """Candidate readings of one folded word that may contain symbols or digits.

    Also returns how many trailing characters were punctuation, so the span can skip them.
    """
    if raw.isalpha() and raw.isascii():
        # Nearly every word: plain letters, which no rule below changes.
        return [raw], 0
    has_letter = any(c.isalpha() for c in raw)
    if not has_letter:
        # Plain numbers and lone symbols are not disguised words.
        stripped = raw.strip("".join(_SYMBOLS))
        return ([stripped] if stripped else []), 0
    forms: list[str] = []
    body = raw
    # "hi!" / "you*": trailing punctuation, not a letter substitute.
    while body and body[-1] in _TRAILING_PUNCT:
        body = body[:-1]
    trimmed = len(raw) - len(body)
    main = "".join(LEET.get(c, c) for c in body)
    forms.append(main)
    if any(c in LEET_ALT for c in body):
        alt = "".join(LEET_ALT.get(c, LEET.get(c, c)) for c in body)
        forms.append(alt)
    if body.startswith("@"):
        # "@john" is a mention; "@ss" is "ass". Offer both.
        forms.append("".join(LEET.get(c, c) for c in body[1:]))
    if body.startswith("$") and len(body) > 1 and body[1:].isdigit():
        forms = [body[1:]]
    out: list[str] = []
    for form in forms:
        out.extend(_unmask(form))
    # Dedupe but keep order: the first form is the canonical one.
    seen: dict[str, None] = {}
    for form in out:
        if form and form not in seen:
            seen[form] = None
    return list(seen), trimmed


def _unmask(form: str) -> list[str]:
    """Readings of a word with one masking star: 'f*ck' -> 'fack', 'feck', ... 'fuck'."""
    if "*" not in form:
        return [form]
    if form.count("*") == 1 and len(form) >= 3:
        return [form.replace("*", v) for v in _VOWELS] + [form.replace("*", "")]
    return [form.replace("*", "")]


# ASCII fast path of _raw_words: same rules, done by the regex engine instead of a Python
# loop (most comments are plain ASCII, and long ones would otherwise cost tens of ms).
_ASCII_WORD = re.compile(r"(?:[A-Za-z0-9@$!|+*]|'(?=[A-Za-z]))+")


def _raw_words(text: str) -> list[tuple[str, int, int]]:
    """Split into (folded word, start, end) over the original text's indices."""
    if text.isascii():
        words = []
        for m in _ASCII_WORD.finditer(text):
            raw = m.group()
            start, end = m.span()
            if "'" in raw:
                lead = len(raw) - len(raw.lstrip("'"))
                if lead == len(raw):
                    continue
                raw, start = raw[lead:].replace("'", ""), start + lead
            words.append((raw.lower(), start, end))
        return words
    return _raw_words_any(text)


def _raw_words_any(text: str) -> list[tuple[str, int, int]]:
    """_raw_words for any text: folds accents, look-alikes and invisible characters."""
    words: list[tuple[str, int, int]] = []
    buf: list[str] = []
    start = -1
    last_end = -1
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            # Invisible characters inside a word must not split it.
            continue
        joins = ch in _APOSTROPHES and buf and i + 1 < len(text) and text[i + 1].isalpha()
        if joins or _is_word_char(ch):
            if joins:
                # "don't" -> "dont": apostrophes join, they do not split.
                last_end = i + 1
                continue
            if not buf:
                start = i
            buf.append(_fold_char(ch))
            last_end = i + 1
        elif buf:
            words.append(("".join(buf), start, last_end))
            buf = []
    if buf:
        words.append(("".join(buf), start, last_end))
    return words


def _join_spaced(
    text: str, words: list[tuple[str, int, int]]
) -> tuple[list[tuple[str, int, int]], dict[int, list[str]]]:
    """Merge runs of three or more single characters: 'f u c k', 'f.u.c.k' -> 'fuck'.

    Returns the words and, by position, extra readings of merged runs.
    """
    out: list[tuple[str, int, int]] = []
    extra: dict[int, list[str]] = {}
    i = 0
    n = len(words)
    while i < n:
        j = i
        if len(words[i][0]) == 1:
            while (
                j + 1 < n
                and len(words[j + 1][0]) == 1
                and words[j + 1][1] - words[j][2] <= 3
                and all(c in _SPACERS for c in text[words[j][2] : words[j + 1][1]])
            ):
                j += 1
        if j - i + 1 >= 3:
            joined = "".join(w[0] for w in words[i : j + 1])
            out.append((joined, words[i][1], words[j][2]))
            if j - i + 1 >= 4:
                # "a f u c k" / "f u c k u": a real one-letter word may have been swept in at
                # either end. Offer readings without it (the span stays the whole run).
                if joined[0] in _ONE_LETTER_WORDS:
                    extra.setdefault(len(out) - 1, []).append(joined[1:])
                if joined[-1] in _ONE_LETTER_WORDS:
                    extra.setdefault(len(out) - 1, []).append(joined[:-1])
            i = j + 1
        else:
            out.append(words[i])
            i += 1
    return out, extra


_MULTI_STAR = re.compile(r"\*{2,}")
# _deleet's fast path relies on this: no rule maps a letter.
assert not any(key.isalpha() for key in (*LEET, *LEET_ALT))


def tokenize(text: str) -> list[Token]:
    """Normalised tokens of ``text`` with their spans in the original string."""
    # Several scanners tokenise the same comment; the cache makes that one pass.
    return list(_tokenize_cached(text))


@lru_cache(maxsize=512)
def _tokenize_cached(text: str) -> tuple[Token, ...]:
    return tuple(_tokenize(text))


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    words, extra = _join_spaced(text, _raw_words(text))
    for k, (raw, start, end) in enumerate(words):
        # _deleet's and _trim_end's answers for a plain word of ASCII letters, without the
        # calls: that is nearly every word, and a scan tokenises every comment.
        if raw.isalpha() and raw.isascii():
            forms, trimmed = [raw], 0
        else:
            forms, trimmed = _deleet(_MULTI_STAR.sub("*", raw) if "**" in raw else raw)
        if k in extra:
            forms += [f for x in extra[k] for f in _deleet(x)[0] if f not in forms]
        if forms:
            if trimmed:
                end = _trim_end(text, start, end, trimmed)
            tokens.append(Token(tuple(forms), start, end))
    return tokens


def _trim_end(text: str, start: int, end: int, trimmed: int) -> int:
    """Move ``end`` back over ``trimmed`` visible characters (invisible ones do not count)."""
    while trimmed > 0 and end > start:
        end -= 1
        if text[end] not in _INVISIBLE:
            trimmed -= 1
    return end


def normalize_text(text: str) -> str:
    """The canonical normalised text: first form of every token, runs of 3+ letters cut to 2."""
    return " ".join(_cap_runs(t.text) for t in tokenize(text))


_RUN3 = re.compile(r"(.)\1{2,}")


def _cap_runs(word: str) -> str:
    return _RUN3.sub(r"\1\1", word)


def entry_tokens(phrase: str) -> tuple[str, ...]:
    """How a word-list entry is spelt for matching: its tokens' first forms, runs kept."""
    return tuple(t.text for t in tokenize(phrase))
