"""The on-topic scanner: article similarity, replies judged against their parent, calibration."""

from __future__ import annotations

import pytest

from broadsheet.moderation import embedder
from broadsheet.moderation.scanners.base import ScanContext
from broadsheet.moderation.scanners.relevance import (
    REPLY_MODELS,
    RelevanceScanner,
    build_pairs_and_score,
)
from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

CRICKET_TITLE = "England collapse on day four as Australia close in on Ashes victory"
CRICKET_DECK = (
    "England's batsmen lost seven wickets for 40 runs at Lord's, leaving Australia's bowlers "
    "needing one more session to win the second Test."
)
CRICKET_BODY = (
    "Australia's fast bowlers ripped through the England middle order after lunch. "
    "The captain defended his decision to bat first on a green pitch. "
    "Rain is forecast for the final day, which may yet save the match for England. "
) * 8


def cricket(text: str, parent: str | None = None, **kw) -> ScanContext:
    return ScanContext(
        text=text, article_title=CRICKET_TITLE, article_deck=CRICKET_DECK, parent_text=parent, **kw
    )


def test_it_scores_an_on_topic_comment_below_an_off_topic_one(scanner):
    on, off = scanner.scan_batch(
        [
            cricket("The batting was dreadful, England threw away their wickets at Lord's."),
            cricket("Mortgage rates are going up again and first-time buyers cannot afford it."),
        ]
    )

    assert 0.0 <= on.score < off.score <= 1.0
    assert on.scanner == off.scanner == "relevance"


def test_it_explains_an_off_topic_comment_in_plain_words():
    # A steep fixed calibration isolates the wording from how the shipped model is calibrated.
    steep = RelevanceScanner(calibration={"article": (3.0, -12.0), "parent": (3.0, -12.0)})
    (result,) = steep.scan_batch(
        [cricket("Mortgage rates are going up again and first-time buyers cannot afford a home.")]
    )

    assert result.score >= 0.5
    (reason,) = result.reasons
    assert reason.code == "off-topic"
    assert reason.message.startswith("Seems unrelated to the article (similarity ")
    assert reason.score == result.score


def test_it_reads_its_calibration_from_the_model_sidecar(scanner):
    cal = scanner.calibration

    assert {
        "article", "parent", "article_background", "article_discussion",
        "article_discussion_lexical",
    } <= set(cal) <= {
        "article", "parent", "article_background", "article_discussion",
        "article_discussion_lexical", *REPLY_MODELS,
    }
    # The shipped static model has a fitted reply model for the richest article evidence.
    if embedder.get_backend().name == "static-v1-256":
        assert "article_discussion_lexical_reply" in cal
    for model in set(cal) & set(REPLY_MODELS):
        # A closer parent, like a closer article, means less likely off-topic; an input the
        # fit could not use is left at 0, never turned round.
        assert all(slope < 0 for slope in cal[model][-2:])
        assert all(slope <= 0 for slope in cal[model][1:])
        assert len(cal[model]) == len(cal[model.removesuffix("_reply")]) + 2
    # Less similar (or less similar than the other recent articles) must mean more likely
    # off-topic, and so must less word overlap.
    assert all(slope < 0 for slope in cal["article"][1:])
    assert all(slope < 0 for slope in cal["parent"][1:])
    assert all(slope < 0 for slope in cal["article_background"][1:])
    # ... and so must fitting the article's discussion less well than the others'.
    assert all(slope < 0 for slope in cal["article_discussion"][1:])
    # ... and using fewer of its words, or being further from it as a whole.
    assert all(slope < 0 for slope in cal["article_discussion_lexical"][1:])
    stored = embedder.sidecar()["calibration"][embedder.get_backend().name]
    assert cal["article_discussion"] == tuple(stored["article_discussion"])
    assert cal["article_discussion_lexical"] == tuple(stored["article_discussion_lexical"])


def test_it_does_not_flag_a_reply_that_answers_an_on_topic_parent(scanner):
    parent = "England's batting collapse was embarrassing, they threw away seven wickets."
    reply = "Yes, and the bowling was worse"

    (as_reply,) = scanner.scan_batch([cricket(reply, parent=parent)])
    (off_topic,) = scanner.scan_batch(
        [cricket("The council should fix the potholes on my street before the winter.")]
    )

    assert as_reply.score < 0.5
    assert not as_reply.reasons
    assert as_reply.score < off_topic.score


def test_it_takes_the_more_favourable_of_article_and_parent(scanner):
    parent = "Interest rates on mortgages have doubled since last year."
    reply = "Banks keep raising mortgage rates while savers get nothing back."

    (alone,) = scanner.scan_batch([cricket(reply)])
    (with_parent,) = scanner.scan_batch([cricket(reply, parent=parent)])

    assert with_parent.score < alone.score


@pytest.mark.parametrize("text", ["Agreed.", "Well said", "Nonsense!", "This."])
def test_it_does_not_flag_very_short_comments_strongly(scanner, text):
    (result,) = scanner.scan_batch([cricket(text)])

    assert result.score < 0.5
    assert not result.reasons


def test_it_uses_stored_article_vectors_and_compares_with_every_chunk(scanner):
    vectors = embedder.embed_article(CRICKET_TITLE, CRICKET_DECK, CRICKET_BODY)
    text = "Rain on the final day might save the match, the forecast looks grim."

    (stored,) = scanner.scan_batch([cricket(text, article_embeddings=vectors)])
    (headline_only,) = scanner.scan_batch([cricket(text)])

    assert vectors.shape[0] > 1
    assert stored.score <= headline_only.score


def test_it_recomputes_article_vectors_stored_by_another_model(scanner):
    import numpy as np

    foreign = np.ones((2, 7), dtype=np.float32) / np.sqrt(7)
    text = "The batting was dreadful, England threw away their wickets at Lord's."

    (result,) = scanner.scan_batch([cricket(text, article_embeddings=foreign)])
    (fresh,) = scanner.scan_batch([cricket(text)])

    assert result.score == pytest.approx(fresh.score)


def test_it_does_not_judge_a_comment_without_any_context(scanner):
    (result,) = scanner.scan_batch([ScanContext(text="Mortgage rates are going up again.")])

    assert result.score == 0.0
    assert result.reasons == []


def test_it_scans_an_empty_batch(scanner):
    assert scanner.scan_batch([]) == []


def test_it_builds_and_scores_matched_and_mismatched_pairs_deterministically(scanner):
    rows = [
        {"text": "England lost seven wickets at Lord's.", "article_title": CRICKET_TITLE,
         "article_summary": CRICKET_DECK, "parent_text": ""},
        {"text": "Fixed mortgage rates are rising for buyers.",
         "article_title": "Mortgage rates rise again", "article_summary": "Banks lift rates.",
         "parent_text": "Houses are unaffordable."},
        {"text": "The new bus timetable is a mess.", "article_title": "Bus timetable changes",
         "article_summary": "Routes cut.", "parent_text": "Buses never come on time."},
        {"text": "Reply with no article", "parent_text": "A parent comment"},
        {"text": "No context at all"},
    ]

    labels, scores = build_pairs_and_score(rows, scanner=scanner)
    again = build_pairs_and_score(rows, scanner=scanner)

    assert labels == [0, 1, 0, 1, 0, 1, 0, 1]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert (labels, scores) == again
    own, other = scores[0::2], scores[1::2]
    assert sum(o > w for o, w in zip(other, own, strict=True)) >= 2


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Nothing to do with cricket, but when will the paper cover the water shortage in "
         "our block? We have had no supply for nine days.", "Nothing to do with cricket"),
        ("Off topic, but does anyone know when the library reopens?", "Off topic"),
        ("Great report. Slightly off-topic: who is covering the council election?",
         "Slightly off-topic"),
        ("OT: the bins on our street have not been emptied for a fortnight.", "OT"),
        ("On an unrelated note, the bridge on the ring road is closed again.",
         "On an unrelated note"),
        ("(Off topic) the weather forecast on your site is always wrong.", "Off topic"),
    ],
)
def test_a_comment_its_writer_calls_off_topic_is_held_with_the_words_highlighted(
        scanner, text, cue):
    # Even when it mentions the story ("cricket"), the commenter's own word decides.
    (result,) = scanner.scan_batch([cricket(text)])
    assert result.score >= DEFAULT_THRESHOLDS["relevance"]["hold"]
    (reason,) = result.reasons
    assert reason.code == "off-topic"
    assert "says it is off-topic" in reason.message
    (span,) = reason.spans
    assert text[span.start:span.end] == cue


@pytest.mark.parametrize(
    "text",
    [
        "That has nothing to do with it, but the bowlers were tired after lunch.",
        "Your point about the pitch has nothing to do with the toss.",
        "The captain went off topic in the press conference and blamed the rain.",
        "His speech was not about the team, but about his own future at Lord's.",
    ],
)
def test_the_same_words_inside_an_argument_are_not_a_confession(scanner, text):
    (result,) = scanner.scan_batch([cricket(text)])
    assert not any("says it is off-topic" in r.message for r in result.reasons)
