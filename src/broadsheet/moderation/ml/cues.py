"""The curated layer of what abuse is made of, as features the model weighs.

Word n-grams learn each training set's vocabulary; these cues name the *shapes* of abuse so
that what the model learns from one insult, one group or one threat carries over to others
it has rarely seen, and so that the shapes that look like abuse but are not (a negated
insult, a reported one, a quotation) get their own features instead of the insult's:

- an insult aimed at a person: "you are a ...", "you ...", "... like you";
- the same negated ("I don't think you're an idiot") or reported ("he called me a ...");
- a group named together with a dehumanising word ("<group> are animals");
- a threat or a wish of harm against a person or a group ("I will find you", "they should
  all be shot"), also negated;
- words inside quotation marks, so quoting a slur to condemn it is told apart.

The lexicons are small on purpose: the cues mark structure; the n-grams carry the words.
"""

from __future__ import annotations

from collections.abc import Sequence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATORS = _words(
    "not no never dont don doesnt didnt isnt arent wasnt werent wont cant cannot shouldnt "
    "wouldnt nobody neither nor hardly"
)
# Words after which an insult is someone else's, being reported or condemned.
REPORTING = _words(
    "called call calls calling named say says said saying tweeted wrote writes shouted "
    "yelled labelled labeled branded dubbed accused term word slur"
)
OBJECTS = _words("me him her us them someone people")
BE = _words("are is re r be being been was were am youre theyre hes shes")
ARTICLES = _words("a an the such total complete absolute utter real bunch of")
HARM_VERBS = _words(
    "kill killed shoot shot hang hanged lynch stab beat burn burned gas gassed exterminate "
    "exterminated execute executed murder slaughter strangle drown rape raped hurt punch "
    "die dead eliminate eradicate wipe deport"
)
WISH = _words("hope wish should deserve deserves must need needs gonna going will ll")
TARGETS = _words(
    "you u ya yall yourself yourselves them they him her his your ur em"
)
YOU = _words("you your youre yours yourself yourselves u ur ya yall")
QUOTES = frozenset('"\u201c\u201d')
_WINDOW = 4


def _near(words: Sequence[str], k: int, before: int, after: int, vocab: frozenset[str]) -> bool:
    return any(w in vocab for w in words[max(0, k - before) : k + after + 1])


def structural_cues(
    words: Sequence[str],
    insults: frozenset[str],
    dehumanising: frozenset[str],
    groups: frozenset[str],
    quoted: Sequence[bool] | None = None,
) -> list[tuple[str, int]]:
    """(cue name, index of the word it is pinned to) for the curated abuse shapes."""
    cues: list[tuple[str, int]] = []
    n = len(words)
    for k, w in enumerate(words):
        is_insult = w in insults
        is_dehuman = w in dehumanising
        if is_insult or is_dehuman:
            kind = "insult" if is_insult else "dehuman"
            negated = _near(words, k, _WINDOW + 1, 0, NEGATORS)
            reported = _near(words, k, _WINDOW + 1, 0, REPORTING) and (
                _near(words, k, _WINDOW, 0, OBJECTS) or _near(words, k, _WINDOW, 0, REPORTING)
            )
            in_quotes = bool(quoted and quoted[k])
            # "you idiot", "you are a total idiot", "idiots like you"
            aimed = (
                (k >= 1 and words[k - 1] in YOU)
                or (_near(words, k, _WINDOW, 0, YOU) and _near(words, k, 3, 0, BE | ARTICLES))
                or (k + 2 < n and words[k + 1] == "like" and words[k + 2] in YOU)
            )
            if reported or in_quotes:
                cues.append((kind + "@reported", k))
            elif negated:
                cues.append((kind + "@negated", k))
            elif aimed:
                cues.append((kind + "@aimed", k))
            if is_dehuman and _near(words, k, 6, 2, groups) and not negated:
                cues.append(("dehuman@group-are", k))
        if w in HARM_VERBS:
            wished = _near(words, k, _WINDOW, 0, WISH)
            targeted = _near(words, k, _WINDOW, 3, TARGETS) or _near(words, k, 6, 3, groups)
            if wished and targeted:
                negated = _near(words, k, _WINDOW + 1, 0, NEGATORS)
                cues.append(("threat@negated" if negated else "threat@wish", k))
    return cues


def quoted_mask(text: str, starts: Sequence[int]) -> list[bool]:
    """Whether each token (by its start offset in TEXT) sits between double quotation marks."""
    marks = [i for i, ch in enumerate(text) if ch in QUOTES]
    if len(marks) < 2:
        return [False] * len(starts)
    pairs = list(zip(marks[0::2], marks[1::2], strict=False))
    return [any(a < s < b for a, b in pairs) for s in starts]
