"""``moderation eval --slip``: auto mode on the news sets at the shipped hold threshold."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command

from broadsheet.moderation.ml.data import split_of
from broadsheet.moderation.ml.slip import slip_at
from tests.moderation.conftest import write_rows


def test_published_share_and_slip_at_the_hold_and_the_hold_needed_for_the_target():
    scores = np.array([0.03, 0.04, 0.05, 0.06, 0.08, 0.2, 0.5, 0.9])
    labels = np.array([0, 0, 0, 1, 0, 1, 1, 0])
    r = slip_at(scores, labels, hold=0.07, target=0.01)
    assert r["published_share"] == pytest.approx(4 / 8)  # scores below 0.07
    assert r["slip_rate"] == pytest.approx(1 / 4) and not r["meets_target"]
    assert r["base_rate"] == pytest.approx(3 / 8)
    # 0.06 publishes the three clean comments below it; 0.07 would let the abusive 0.06 by.
    assert r["needed_hold"] == 0.06 and r["published_share_at_needed"] == pytest.approx(3 / 8)
    loose = slip_at(scores, labels, hold=0.07, target=0.25)
    assert loose["meets_target"] and loose["needed_hold"] == 0.2


def test_weights_set_the_base_rate_and_no_threshold_may_meet_the_target():
    scores = np.array([0.001, 0.001, 0.3])
    labels = np.array([1, 0, 0])
    r = slip_at(scores, labels, hold=0.5, target=0.01, weights=[1.0, 3.0, 4.0])
    assert r["slip_rate"] == pytest.approx(1 / 8) and r["base_rate"] == pytest.approx(1 / 8)
    assert r["needed_hold"] is None and r["published_share_at_needed"] == 0.0


def _write(path, rows) -> None:
    write_rows(path, ["text", "label"], rows)


def _rows(prefix: str, n: int, positives_only: bool = False) -> list[tuple[str, int]]:
    rude, calm = "you are a pathetic idiot and a clown", "the council met about the bridge"
    return [
        (f"{rude if (positives_only or i % 3 == 0) else calm} {prefix} {i}",
         1 if (positives_only or i % 3 == 0) else 0)
        for i in range(n)
    ]


def test_slip_eval_measures_each_news_set_on_its_held_out_rows(tmp_path):
    from broadsheet.moderation.management.abuse_reports import scanner_scores
    from broadsheet.moderation.thresholds import DEFAULT_THRESHOLDS

    fox, civil, wiki = _rows("fox", 120), _rows("civil", 60, True), _rows("wiki", 90)
    _write(tmp_path / "fox_news" / "fox_news.csv", fox)
    _write(tmp_path / "civil_toxic_spans" / "civil_toxic_spans.csv", civil)
    _write(tmp_path / "wiki_context_cat" / "wiki_context_cat.csv", wiki)
    _write(tmp_path / "tweets" / "tweets.csv", _rows("tweet", 30))  # not a news set
    out, err = io.StringIO(), io.StringIO()
    call_command("moderation", "eval", "--slip", "--datasets", str(tmp_path), "--json",
                 stdout=out, stderr=err)
    report = json.loads(out.getvalue())["slip"]
    hold = DEFAULT_THRESHOLDS["abuse"]["hold"]
    assert report["hold"] == hold and report["target"] == 0.01
    sets = report["sets"]
    assert "tweets" not in sets and {"fox_news", "civil_toxic_spans"} <= set(sets)

    held_fox = [(t, y) for t, y in fox if split_of(t) in ("dev", "test")]
    scores = scanner_scores([t for t, _ in held_fox])
    labels = np.array([y for _, y in held_fox])
    assert sets["fox_news"]["rows"] == len(held_fox)
    assert sets["fox_news"]["published_share"] == pytest.approx((scores < hold).mean())
    expected = slip_at(scores, labels, hold, 0.01)
    assert sets["fox_news"]["needed_hold"] == expected["needed_hold"]
    # civil_toxic_spans: its test rows with fox_news' held-out negatives.
    civil_test = sum(split_of(t) == "test" for t, _ in civil)
    assert sets["civil_toxic_spans"]["rows"] == civil_test + int((labels == 0).sum())
    assert sets["civil_toxic_spans"]["abusive"] == civil_test
    assert "scored" in err.getvalue()  # progress goes to stderr


def test_slip_eval_prints_a_table(tmp_path):
    _write(tmp_path / "fox_news" / "fox_news.csv", _rows("fox", 60))
    out = io.StringIO()
    call_command("moderation", "eval", "--slip", "--datasets", str(tmp_path),
                 stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "auto mode at the shipped hold" in text and "needed hold" in text
    assert "fox_news" in text
