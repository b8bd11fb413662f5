"""Normalisation sees through disguised words and keeps the original spans."""

from broadsheet.moderation.scanners.normalize import (
    is_stretch_of,
    normalize_text,
    squeeze,
    tokenize,
)


def _forms(text):
    return [(t.forms, text[t.start : t.end]) for t in tokenize(text)]


def test_it_reads_leet_symbols_as_letters():
    tokens = tokenize("you sh1t and @ss and a$$hole")
    texts = [t.text for t in tokens]
    assert texts == ["you", "shit", "and", "ass", "and", "asshole"]


def test_it_joins_spaced_out_letters_into_one_word_with_the_whole_span():
    text = "well f u c k that"
    token = [t for t in tokenize(text) if "fuck" in t.forms][0]
    assert text[token.start : token.end] == "f u c k"


def test_it_joins_letters_separated_by_punctuation():
    assert "fuck" in tokenize("f.u.c.k off")[0].forms
    assert "fuck" in tokenize("f-u-c-k off")[0].forms


def test_it_offers_a_reading_without_a_real_one_letter_word_swept_into_a_spaced_run():
    token = tokenize("what a f u c k up")[1]
    assert "fuck" in token.forms


def test_it_keeps_stretched_letters_matchable():
    token = tokenize("fuuuuuck")[0]
    assert squeeze(token.text) == "fuck"
    assert is_stretch_of(token.text, "fuck")


def test_it_does_not_treat_an_ordinary_double_letter_as_a_stretch():
    assert not is_stretch_of("good", "god")
    assert is_stretch_of("goooood", "good")


def test_it_reads_a_masking_star_as_a_vowel():
    assert "fuck" in tokenize("f*ck")[0].forms
    assert "shit" in tokenize("sh*t")[0].forms


def test_it_folds_accents_full_width_and_cyrillic_look_alikes():
    assert tokenize("fück")[0].text == "fuck"
    assert tokenize("ｆｕｃｋ")[0].text == "fuck"
    assert tokenize("\u0441\u0443\u043a\u0430")[0].text == "cyka"


def test_it_ignores_invisible_characters_inside_words():
    text = "fu\u200bck"
    token = tokenize(text)[0]
    assert token.text == "fuck"
    assert (token.start, token.end) == (0, len(text))


def test_it_leaves_plain_numbers_alone_and_drops_trailing_punctuation_from_spans():
    text = "In 2016 it cost $500, wow!"
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["in", "2016", "it", "cost", "500", "wow"]
    assert text[tokens[-1].start : tokens[-1].end] == "wow"


def test_it_joins_apostrophes_inside_words():
    assert [t.text for t in tokenize("Don't you're")] == ["dont", "youre"]


def test_it_gives_a_canonical_string_with_long_runs_cut_to_two():
    assert normalize_text("FUUUUCK th1s!!!") == "fuuck this"
