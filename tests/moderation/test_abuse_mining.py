"""News-comment negatives mined from civil_toxic_spans: the sentences no worker marked."""

import csv
import io
import json

import numpy as np
from django.core.management import call_command

from broadsheet.moderation.ml.corpus import load_corpus
from broadsheet.moderation.ml.data import split_of
from broadsheet.moderation.ml.experts import expert_rows
from broadsheet.moderation.ml.mining import (
    MINED_SET,
    MiningConfig,
    mine,
    mine_comment,
    sentence_spans,
)
from broadsheet.moderation.ml.training import RECIPES, train_rows

COMMENT = (
    "The council voted to close the library on Tuesday night. You are a total moron. "
    "Nobody asked the readers who use it every single day."
)
MORON = COMMENT.index("moron")


def _marked(word: str, text: str = COMMENT) -> set[int]:
    start = text.index(word)
    return set(range(start, start + len(word)))


def test_sentences_are_split_at_end_punctuation_and_line_breaks():
    text = 'He said "go." Then left!\nNew line here'
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        'He said "go."', "Then left!", "New line here"
    ]


def test_only_sentences_without_a_marked_character_are_mined():
    mined = mine_comment(COMMENT, _marked("moron"), MiningConfig())
    assert mined == [
        "The council voted to close the library on Tuesday night.",
        "Nobody asked the readers who use it every single day.",
    ]


def test_a_comment_without_any_mark_gives_nothing():
    assert mine_comment(COMMENT, set(), MiningConfig()) == []


def test_short_sentences_are_dropped():
    text = "Idiot. Too short here. This sentence has more than six words in it."
    mined = mine_comment(text, _marked("Idiot", text), MiningConfig(min_words=6))
    assert mined == ["This sentence has more than six words in it."]


def test_the_lexicon_filter_drops_an_unmarked_sentence_with_an_insult():
    text = "You fool. Those clowns at the council wasted the money again."
    marked = _marked("fool", text)
    assert mine_comment(text, marked, MiningConfig()) == []
    assert mine_comment(text, marked, MiningConfig(lexicon_filter=False)) == [
        "Those clowns at the council wasted the money again."
    ]


def test_the_remainder_variant_cuts_the_marked_spans_out():
    mined = mine_comment(COMMENT, _marked("moron"), MiningConfig(mode="remainder"))
    assert len(mined) == 1
    assert "moron" not in mined[0] and "You are a total ." in mined[0]


def test_mined_text_keeps_the_split_of_its_whole_comment_and_is_deduplicated():
    comments = [(COMMENT, _marked("moron")), (COMMENT + " ", _marked("moron"))]
    result = mine(comments, MiningConfig(), exclude={
        "Nobody asked the readers who use it every single day."
    })
    assert result.texts == ["The council voted to close the library on Tuesday night."]
    assert result.splits == [split_of(COMMENT)]
    assert result.provenance["rows"] == 1 and len(result.provenance["sha256"]) == 64


def _comment(i: int) -> str:
    return (f"The ferry timetable changed again in week {i} of the season. "
            f"You absolute muppet number {i}. "
            f"Readers in the harbour district wrote letters about it {i} times.")


def _spans_folder(root, n: int = 60) -> None:
    folder = root / "civil_toxic_spans"
    folder.mkdir(parents=True)
    comments = [_comment(i) for i in range(n)]
    with open(folder / "civil_toxic_spans.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        w.writerows((c, 1) for c in comments)
    with open(folder / "comments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["comment_id", "comment_text"])
        w.writerows((i, c) for i, c in enumerate(comments))
    with open(folder / "annotations.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["annotation", "comment_id", "worker", "country", "all toxic", "not toxic"])
        w.writerows((i, i, 1, "USA", False, False) for i in range(n))
    with open(folder / "spans.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["annotation", "type", "start", "end"])
        for i, c in enumerate(comments):
            start = c.index("muppet")
            w.writerow((i, "Insult", start, start + len("muppet")))
    fox = root / "fox_news"
    fox.mkdir()
    with open(fox / "fox_news.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "label"])
        for i in range(200):
            w.writerow((f"they are vermin and savages {i}", 1) if i % 3 == 0
                       else (f"the match report from the stadium {i}", 0))


def test_the_corpus_adds_the_mined_set_only_when_asked(tmp_path):
    _spans_folder(tmp_path)
    plain = load_corpus(tmp_path)
    assert MINED_SET not in plain.provenance
    corpus = load_corpus(tmp_path, mining=MiningConfig())
    mined = np.flatnonzero(corpus.names == MINED_SET)
    assert len(mined) == 120 and corpus.labels[mined].sum() == 0
    # Every mined sentence is in the split of the comment it came from.
    for i in mined:
        source = next(c for c in plain.texts if corpus.texts[i] in c)
        assert corpus.splits[i] == split_of(source)
    assert corpus.provenance[MINED_SET]["mining"]["mode"] == "sentences"


def test_the_left_out_civil_fold_never_trains_on_its_mined_negatives(tmp_path):
    _spans_folder(tmp_path)
    corpus = load_corpus(tmp_path, mining=MiningConfig())
    v4 = RECIPES["v4"]
    assert MINED_SET in set(corpus.names[train_rows(corpus, v4)].tolist())
    held_out_fold = corpus.names[train_rows(corpus, v4, leave_out=("civil_toxic_spans",))]
    assert set(held_out_fold.tolist()) == {"fox_news"}
    # v6 trains on them without civil_toxic_spans' own toxic comments.
    v6_sets = set(corpus.names[train_rows(corpus, RECIPES["v6"])].tolist())
    assert v6_sets == {"fox_news", MINED_SET}
    # A recipe that does not mine never trains on them, even when they are in the corpus.
    assert MINED_SET not in set(corpus.names[train_rows(corpus, RECIPES["v1"])].tolist())


def test_the_civil_expert_borrows_the_mined_negatives(tmp_path):
    _spans_folder(tmp_path)
    corpus = load_corpus(tmp_path, mining=MiningConfig())
    rows, lenders = expert_rows(corpus, "civil_toxic_spans", RECIPES["v5"], ())
    assert MINED_SET in lenders
    assert {"civil_toxic_spans", MINED_SET} <= set(corpus.names[rows].tolist())
    _, lenders_v3 = expert_rows(corpus, "civil_toxic_spans", RECIPES["v3"], ())
    assert MINED_SET not in lenders_v3


def test_leave_one_out_reports_the_extra_row_with_mined_negatives(tmp_path):
    _spans_folder(tmp_path)
    out = io.StringIO()
    call_command(
        "moderation", "eval", "--leave-one-out", "--recipe", "v4", "--datasets", str(tmp_path),
        "--json", stdout=out, stderr=io.StringIO(),
    )
    result = json.loads(out.getvalue())["leave_one_out"]
    assert set(result["sets"]) == {"civil_toxic_spans", "fox_news"}  # not the mined set
    civil = result["sets"]["civil_toxic_spans"]
    extra = civil["with_mined_negatives"]
    assert extra["positives"] == civil["positives"] and extra["rows"] > civil["rows"]
