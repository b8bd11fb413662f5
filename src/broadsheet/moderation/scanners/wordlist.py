"""The editors' word lists: banned words reject a comment, suspect words hold it.

Entries are whole words or phrases, matched on word boundaries and through the disguises
:mod:`normalize` undoes (``sh1t``, ``f u c k``, ``fuuuck``, ``f*ck``). Matching walks a trie
keyed by squeezed tokens, so the cost per comment depends on the comment's length, not on the
size of the list: thousands of entries cost no more than ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from broadsheet.moderation.scanners.base import Reason, ScanContext, ScanResult, Span
from broadsheet.moderation.scanners.normalize import Token, entry_tokens, is_stretch_of, squeeze

_END = "\x00"


@dataclass(frozen=True)
class Match:
    entry: str
    payload: Any
    start: int  # character offsets into the original text
    end: int


class PhraseMatcher:
    """Finds whole-word phrases in tokenised text, tolerant of the usual obfuscations."""

    def __init__(self, phrases: Iterable[tuple[str, Any]] | Iterable[str] = ()) -> None:
        self._root: dict = {}
        self.size = 0
        for item in phrases:
            phrase, payload = (item, None) if isinstance(item, str) else item
            self.add(phrase, payload)

    def add(self, phrase: str, payload: Any = None) -> None:
        words = entry_tokens(phrase)
        if not words:
            return
        self._insert(words, phrase, payload)
        if len(words) > 1:
            # "son of a bitch" is also written "sonofabitch".
            self._insert(("".join(words),), phrase, payload)
        self.size += 1

    def _insert(self, words: tuple[str, ...], phrase: str, payload: Any) -> None:
        node = self._root
        for word in words:
            node = node.setdefault(squeeze(word), {})
        node.setdefault(_END, []).append((words, phrase.strip(), payload))

    def find(self, tokens: Sequence[Token]) -> list[Match]:
        if not self._root:
            return []
        found: dict[tuple[int, int, str], Match] = {}
        keys = [_trie_keys(t.forms) for t in tokens]
        root, count = self._root, len(tokens)
        for i in range(count):
            # (trie node, index of the next token): several forms may lead down several paths.
            # The root's step is taken here without calls: most words start no phrase, and
            # every matcher looks at every word of every comment.
            frontier: list[tuple[dict, int]] = []
            for k in keys[i]:
                if k in root:
                    frontier += ((root[k], i + 1),)
            while frontier:
                node, j = frontier.pop()
                if j > i and _END in node:
                    for words, phrase, payload in node[_END]:
                        if _spelt_as(tokens[i:j], words):
                            key = (tokens[i].start, tokens[j - 1].end, phrase)
                            found.setdefault(
                                key, Match(phrase, payload, tokens[i].start, tokens[j - 1].end)
                            )
                if j < count:
                    for k in keys[j]:
                        child = node.get(k)
                        if child is not None:
                            frontier.append((child, j + 1))
        return sorted(found.values(), key=lambda m: (m.start, m.end))


@lru_cache(maxsize=8192)
def _trie_keys(forms: tuple[str, ...]) -> tuple[str, ...]:
    # Every matcher (word lists, threats, spam phrases) looks up every word of every comment;
    # the same everyday words come back all the time, so each is squeezed once.
    return tuple(dict.fromkeys(squeeze(f) for f in forms))


def _spelt_as(tokens: Sequence[Token], words: tuple[str, ...]) -> bool:
    if len(tokens) != len(words):
        return False
    return all(
        any(is_stretch_of(form, word) for form in tok.forms)
        for tok, word in zip(tokens, words, strict=True)
    )


BANNED = "banned"
SUSPECT = "suspect"


class WordListScanner:
    name = "wordlist"

    def __init__(self, banned: Iterable[str] = (), suspect: Iterable[str] = ()) -> None:
        entries = [(w, BANNED) for w in banned if w and w.strip()]
        entries += [(w, SUSPECT) for w in suspect if w and w.strip()]
        self.matcher = PhraseMatcher(entries)

    def scan_batch(self, contexts: Sequence[ScanContext]) -> list[ScanResult]:
        from broadsheet.moderation.scanners.normalize import tokenize

        results = []
        for ctx in contexts:
            matches = self.matcher.find(tokenize(ctx.text))
            banned = [m for m in matches if m.payload == BANNED]
            suspect = [m for m in matches if m.payload == SUSPECT]
            result = ScanResult(scanner=self.name, score=0.0)
            if banned:
                result.score = 1.0
                result.verdict = "reject"
                result.reasons.append(_reason("banned-word", "banned", banned, 1.0))
            if suspect:
                result.score = max(result.score, 0.5)
                result.verdict = result.verdict or "hold"
                result.reasons.append(_reason("suspect-word", "suspect", suspect, 0.5))
            results.append(result)
        return results


def _reason(code: str, label: str, matches: list[Match], score: float) -> Reason:
    words = ", ".join(dict.fromkeys(m.entry for m in matches))
    return Reason(code, f"{label} word: {words}", score, [Span(m.start, m.end) for m in matches])
