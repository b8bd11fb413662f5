"""``manage.py moderation eval`` on a tiny labelled CSV."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROWS = [
    ("You are a fucking idiot, go to hell", 1),
    ("Shut up you stupid moron", 1),
    ("What a pathetic piece of shit you are", 1),
    ("Thanks for the clear explanation of the budget.", 0),
    ("I think the tax changes are fair overall.", 0),
    ("The council should publish the figures for every ward.", 0),
    ("Good reporting, I had not heard about the bridge closure.", 0),
]


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "tiny.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(ROWS)
    return path


def test_it_prints_one_json_object_with_the_headline_numbers(labelled_csv):
    out = io.StringIO()
    call_command(
        "moderation",
        "eval",
        "--task",
        "abuse",
        "--dataset",
        str(labelled_csv),
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = json.loads(out.getvalue())
    assert report["rows"] == len(ROWS)
    assert report["abuse_roc_auc"] > 0.9
    assert 0.0 <= report["auto_published_share"] <= 1.0
    assert 0.0 <= report["auto_slip_rate"] <= 1.0
    assert report["comments_per_second"] > 0
    assert "relevance_roc_auc" not in report  # no article context in this file


def test_it_prints_a_readable_summary_with_precision_and_recall(labelled_csv):
    out = io.StringIO()
    call_command(
        "moderation",
        "eval",
        "--task",
        "abuse",
        "--dataset",
        str(labelled_csv),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "abuse ROC AUC" in text
    assert "precision" in text and "recall" in text
    assert "published without a human" in text


def test_it_applies_the_hash_split_when_asked(labelled_csv):
    from broadsheet.moderation.ml.data import split_of

    expected = sum(1 for text, _ in ROWS if split_of(text) == "train")
    out = io.StringIO()
    call_command(
        "moderation",
        "eval",
        "--dataset",
        str(labelled_csv),
        "--split",
        "train",
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert json.loads(out.getvalue())["rows"] == expected


def test_it_explains_when_the_relevance_helper_is_missing_or_scores_pairs(tmp_path):
    path = tmp_path / "ctx.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "article_title", "article_summary"])
        writer.writerow(
            [
                "The bridge closure will hurt commuters",
                0,
                "Bridge shut",
                "The river bridge closes for repairs",
            ]
        )
        writer.writerow(
            ["Great goal in the second half", 0, "Cup final", "United won the cup final"]
        )
    out = io.StringIO()
    call_command(
        "moderation",
        "eval",
        "--task",
        "relevance",
        "--dataset",
        str(path),
        "--json",
        stdout=out,
        stderr=io.StringIO(),
    )
    report = json.loads(out.getvalue())
    assert "relevance_roc_auc" in report
    if report["relevance_roc_auc"] is None:
        assert any("build_pairs_and_score" in n for n in report["notes"])


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("moderation", "eval", "--dataset", str(tmp_path / "nope.csv"))


def test_it_delegates_the_report_to_the_reporting_module(monkeypatch):
    calls = []

    def fake_report(stdout):
        calls.append(stdout)
        stdout.write("agreement report")

    monkeypatch.setattr(
        "broadsheet.moderation.reporting.print_agreement_report", fake_report, raising=False
    )
    out = io.StringIO()
    call_command("moderation", "report", stdout=out)
    assert len(calls) == 1
    assert "agreement report" in out.getvalue()


def test_relevance_takes_discussions_from_the_whole_file_whatever_the_split(
    tmp_path, monkeypatch
):
    from broadsheet.moderation.ml.data import split_of
    from broadsheet.moderation.scanners import relevance

    texts = [f"Comment number {n} on the bridge closure and the ferry" for n in range(60)]
    path = tmp_path / "ctx.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "article_title", "article_summary"])
        for n, text in enumerate(texts):
            title = ("Bridge shut", "Cup final", "Budget day")[n % 3]
            writer.writerow([text, 0, title, f"What happened: {title}"])
    pools = []
    real = relevance.add_discussions

    def spy(contexts, sources, pool, embedder):
        pools.append(len(pool))
        return real(contexts, sources, pool, embedder)

    monkeypatch.setattr(relevance, "add_discussions", spy)
    out = io.StringIO()
    call_command("moderation", "eval", "--task", "relevance", "--dataset", str(path),
                 "--split", "train", "--json", stdout=out, stderr=io.StringIO())

    report = json.loads(out.getvalue())
    assert report["rows"] == sum(split_of(t) == "train" for t in texts) < len(texts)
    assert pools == [len(texts)]
