"""Banned words reject and suspect words hold, through disguises, with spans."""

import random
import string

from broadsheet.moderation.scanners.base import ScanContext
from broadsheet.moderation.scanners.wordlist import WordListScanner


def _scan(scanner, text):
    return scanner.scan_batch([ScanContext(text=text)])[0]


def _highlighted(text, reason):
    return [text[s.start : s.end] for s in reason.spans]


def test_it_rejects_a_banned_word_and_highlights_it():
    scanner = WordListScanner(banned=["scumbag"], suspect=[])
    text = "What a scumbag move."
    result = _scan(scanner, text)
    assert result.verdict == "reject"
    assert result.score == 1.0
    assert result.reasons[0].code == "banned-word"
    assert _highlighted(text, result.reasons[0]) == ["scumbag"]


def test_it_holds_a_suspect_word():
    scanner = WordListScanner(banned=[], suspect=["idiot"])
    text = "Only an idiot would vote for this."
    result = _scan(scanner, text)
    assert result.verdict == "hold"
    assert result.reasons[0].code == "suspect-word"
    assert _highlighted(text, result.reasons[0]) == ["idiot"]


def test_it_matches_whole_words_only():
    scanner = WordListScanner(banned=["ass", "cock"], suspect=[])
    result = _scan(scanner, "The class assessed the cockpit at Scunthorpe.")
    assert result.verdict is None
    assert result.score == 0.0
    assert result.reasons == []


def test_it_sees_through_leet_spacing_stretching_and_masking():
    scanner = WordListScanner(banned=["shit", "fuck"], suspect=[])
    for text in ["sh1t", "$hit", "s h i t", "s.h.i.t", "shiiiiit", "sh*t", "f u c k", "fuuuck"]:
        result = _scan(scanner, f"oh {text} again")
        assert result.verdict == "reject", text
        assert _highlighted(f"oh {text} again", result.reasons[0]) == [text]


def test_it_matches_phrases_also_when_written_together_or_disguised():
    scanner = WordListScanner(banned=["son of a bitch"], suspect=[])
    for text in ["you son of a bitch", "you sonofabitch", "you s0n of a b1tch!"]:
        result = _scan(scanner, text)
        assert result.verdict == "reject", text
    text = "you s0n of a b1tch!"
    assert _highlighted(text, _scan(scanner, text).reasons[0]) == ["s0n of a b1tch"]


def test_it_does_not_match_a_phrase_with_words_missing():
    scanner = WordListScanner(banned=["son of a bitch"], suspect=[])
    assert _scan(scanner, "the son of a neighbour").verdict is None


def test_it_reports_banned_and_suspect_together_with_reject_winning():
    scanner = WordListScanner(banned=["scumbag"], suspect=["moron"])
    result = _scan(scanner, "scumbag and moron")
    assert result.verdict == "reject"
    assert [r.code for r in result.reasons] == ["banned-word", "suspect-word"]


def test_it_still_matches_correctly_with_five_thousand_entries():
    rng = random.Random(7)
    filler = {
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(5, 10))) for _ in range(6000)
    }
    filler = sorted(filler)[:4990]
    phrases = [f"{a} {b}" for a, b in zip(filler[:5], filler[5:10], strict=False)]
    scanner = WordListScanner(banned=filler + ["scumbag"] + phrases, suspect=["dimwit"])
    text = f"that {filler[1234]} is a scumbag and a d1mwit, {phrases[2]}."
    result = _scan(scanner, text)
    assert result.verdict == "reject"
    banned = _highlighted(text, result.reasons[0])
    # The phrase's words are entries too, so they match on their own as well.
    assert banned[:2] == [filler[1234], "scumbag"]
    assert phrases[2] in banned
    assert _highlighted(text, result.reasons[1]) == ["d1mwit"]
    assert _scan(scanner, "a perfectly polite comment about the budget").reasons == []


def test_it_scans_a_batch_in_order():
    scanner = WordListScanner(banned=["scumbag"], suspect=["moron"])
    results = scanner.scan_batch(
        [ScanContext(text="moron"), ScanContext(text="hello"), ScanContext(text="scumbag")]
    )
    assert [r.verdict for r in results] == ["hold", None, "reject"]
    assert all(r.scanner == "wordlist" for r in results)


def test_it_accepts_empty_lists():
    assert _scan(WordListScanner([], []), "anything at all").score == 0.0
