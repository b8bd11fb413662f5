"""The scanner's reasons on each comment: spans marked, everything escaped, scores shown."""

from __future__ import annotations

from broadsheet.desk.text import highlight_spans, text_diff
from tests.conftest import make_comment
from tests.desk.conftest import scanned


def test_it_marks_a_span_over_a_script_tag_without_letting_it_run(moderator_client, article):
    text = 'Hi <script>alert("x")</script> & bye'
    make_comment(article, status="pending", text=text, **scanned(reasons=[
        {"code": "spam", "message": "Looks like <b>code</b>", "score": 0.71,
         "spans": [[3, 30]], "scanner": "spam"},
    ]))

    response = moderator_client.get("/desk/")

    assert b"<script>alert" not in response.content
    assert (
        b'Hi <mark title="spam">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</mark> &amp; bye'
        in response.content
    )
    assert b'title="Looks like &lt;b&gt;code&lt;/b&gt;"' in response.content
    assert b"spam <b>0.71</b>" in response.content


def test_it_shows_each_reason_as_a_chip_with_its_score(moderator_client, article):
    text = "You absolute idiot, visit spam.example"
    make_comment(article, status="pending", text=text, **scanned(
        reasons=[
            {"code": "abusive", "message": "Insult", "score": 0.934, "spans": [[4, 18]],
             "scanner": "abuse"},
            {"code": "link", "message": "Link", "score": 0.4, "spans": [[26, 38]],
             "scanner": "links"},
        ]
    ))

    response = moderator_client.get("/desk/")

    assert b"abusive <b>0.93</b>" in response.content
    assert b"link <b>0.40</b>" in response.content
    assert b'You <mark title="abusive">absolute idiot</mark>' in response.content
    assert b'<mark title="link">spam.example</mark>' in response.content


def test_overlapping_spans_are_marked_once_with_both_reasons():
    html = highlight_spans("abcdefgh", [
        {"code": "abusive", "spans": [[0, 4]]},
        {"code": "banned-word", "spans": [[2, 6]]},
    ])

    assert html == (
        '<mark title="abusive">ab</mark><mark title="abusive, banned-word">cd</mark>'
        '<mark title="banned-word">ef</mark>gh'
    )


def test_spans_outside_the_text_or_malformed_are_ignored():
    html = highlight_spans("<b>", [
        {"code": "x", "spans": [[5, 9], [2, 1], ["a", 2], [1]]},
        "not a reason",
        {"code": "y", "spans": [[-3, 1]]},
    ])

    assert html == '<mark title="y">&lt;</mark>b&gt;'


def test_the_diff_escapes_both_sides_and_marks_what_changed():
    before, after = text_diff("Call <me> on 0300", "Call <me> later")

    assert before == "Call &lt;me&gt; <del>on 0300</del>"
    assert after == "Call &lt;me&gt; <ins>later</ins>"
