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
    assert report["relevance_roc_auc"] is None  # no article context in this file


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
    from broadsheet.moderation.relevance import evaluation

    texts = [f"Comment number {n} on the bridge closure and the ferry" for n in range(60)]
    path = tmp_path / "ctx.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label", "article_title", "article_summary"])
        for n, text in enumerate(texts):
            title = ("Bridge shut", "Cup final", "Budget day")[n % 3]
            writer.writerow([text, 0, title, f"What happened: {title}"])
    pools = []
    real = evaluation.add_discussions

    def spy(contexts, sources, pool, embedder):
        pools.append(len(pool))
        return real(contexts, sources, pool, embedder)

    monkeypatch.setattr(evaluation, "add_discussions", spy)
    out = io.StringIO()
    call_command("moderation", "eval", "--task", "relevance", "--dataset", str(path),
                 "--split", "train", "--json", stdout=out, stderr=io.StringIO())

    report = json.loads(out.getvalue())
    assert report["rows"] == sum(split_of(t) == "train" for t in texts) < len(texts)
    assert pools == [len(texts)]


# -- files as other people write them ------------------------------------------------------


def _eval(path, *args):
    out = io.StringIO()
    call_command("moderation", "eval", "--dataset", str(path), *args, "--json",
                 stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def _write(path, header, rows, encoding="utf-8", newline="\n"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, lineterminator=newline)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_spreadsheet_export_with_a_byte_order_mark_and_capitalised_columns_is_read(tmp_path):
    path = _write(tmp_path / "export.csv", ["Text", " Label "], ROWS,
                  encoding="utf-8-sig", newline="\r\n")
    report = _eval(path, "--task", "abuse")
    assert report["rows"] == len(ROWS)
    assert report["positives"] == 3
    assert report["abuse_roc_auc"] > 0.9


def test_labels_may_be_words_decimals_or_shares_of_annotators(tmp_path):
    spelled = {0: ["false", "0.0", "no", "0.2"], 1: ["TRUE", "1.0", "yes", "0.8"]}
    rows = [(text, spelled[label][n % 4]) for n, (text, label) in enumerate(ROWS)]
    report = _eval(_write(tmp_path / "words.csv", ["text", "label"], rows), "--task", "abuse")
    assert report["positives"] == 3
    assert report["abuse_roc_auc"] > 0.9
    assert any("shares between 0 and 1" in note for note in report["notes"])


def test_jigsaw_style_column_names_are_understood_and_said(tmp_path):
    path = _write(tmp_path / "jigsaw.csv", ["id", "comment_text", "toxic"],
                  [(n, text, label) for n, (text, label) in enumerate(ROWS)])
    report = _eval(path, "--task", "abuse")
    assert report["rows"] == len(ROWS)
    assert "used the column 'comment_text' as 'text'" in report["notes"]
    assert "used the column 'toxic' as 'label'" in report["notes"]


def test_a_label_that_cannot_be_read_is_named_with_its_line(tmp_path):
    rows = [*ROWS[:3], ("A fine comment", "maybe"), *ROWS[3:]]
    path = _write(tmp_path / "typo.csv", ["text", "label"], rows)
    with pytest.raises(CommandError, match=r"line 5: the label 'maybe'"):
        _eval(path, "--task", "abuse")


def test_rows_without_a_label_or_a_text_are_left_out_and_counted(tmp_path):
    rows = [*ROWS, ("An unlabelled comment about the bridge", ""), ("   ", 0)]
    report = _eval(_write(tmp_path / "gaps.csv", ["text", "label"], rows), "--task", "abuse")
    assert report["rows"] == len(ROWS)
    assert "left out 1 rows without a label" in report["notes"]
    assert "left out 1 rows with an empty text" in report["notes"]


def test_a_file_that_is_not_utf8_is_read_as_windows_1252_and_said(tmp_path):
    rows = [*ROWS, ("Le café du coin a fermé, dommage.", 0)]
    path = _write(tmp_path / "latin.csv", ["text", "label"], rows, encoding="cp1252")
    report = _eval(path, "--task", "abuse")
    assert report["rows"] == len(rows)
    assert any("not UTF-8" in note and "cp1252" in note for note in report["notes"])


def test_one_class_only_gives_no_auc_and_says_why(tmp_path):
    rows = [(text, 0) for text, _ in ROWS]
    report = _eval(_write(tmp_path / "clean.csv", ["text", "label"], rows), "--task", "abuse")
    assert report["abuse_roc_auc"] is None
    assert "every row has the label 0: ROC AUC is undefined" in report["notes"]


@pytest.mark.parametrize("content, message", [
    ("", "is empty"),
    ("comment_id,score\n1,0\n", "has no text column"),
    ("text,label\n", "has no rows with a text"),
    ("text,article_title\nA comment,Bridge shut\n", "has no label column"),
])
def test_files_it_cannot_measure_get_an_error_saying_what_to_change(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _eval(path, "--task", "abuse")


def test_relevance_of_replies_needs_only_their_parents(tmp_path):
    threads = [
        ("The ferry timetable changed again", "Yes, the ferry now leaves at six"),
        ("The cup final went to penalties", "That second penalty was saved brilliantly"),
        ("Budget day brought a fuel duty rise", "The fuel duty rise will hit rural drivers"),
        ("The library opens on Sundays now", "Sunday opening at the library helps students"),
    ]
    rows = [(reply, 0, parent) for parent, reply in threads]
    path = _write(tmp_path / "replies.csv", ["text", "label", "parent_text"], rows)
    report = _eval(path, "--task", "relevance")
    assert report["relevance_pairs"] == 2 * len(threads)
    assert report["relevance_roc_auc"] > 0.9


def test_file_labels_measure_the_score_against_the_files_own_off_topic_label(tmp_path):
    articles = {
        "Bridge shut for repairs": "The river bridge closes for six weeks of repairs",
        "United win the cup final": "A late goal settles the final at Wembley",
    }
    rows = [
        ("The bridge closure will add an hour to my commute", 0, "Bridge shut for repairs"),
        ("Six weeks without the bridge is too long", 0, "Bridge shut for repairs"),
        ("What a goal in the last minute of the final", 1, "Bridge shut for repairs"),
        ("That late goal won United the cup", 0, "United win the cup final"),
        ("Wembley was loud when the final whistle went", 0, "United win the cup final"),
        ("The river bridge repairs are overdue", 1, "United win the cup final"),
    ]
    path = _write(tmp_path / "labelled.csv", ["text", "label", "article_title", "article_summary"],
                  [(text, label, title, articles[title]) for text, label, title in rows])
    report = _eval(path, "--task", "relevance", "--file-labels")
    assert report["relevance_measure"] == "file labels (1 = off-topic)"
    assert report["relevance_rows"] == len(rows)
    assert report["relevance_roc_auc"] > 0.8


def test_the_headline_keys_are_in_the_json_whatever_the_task(tmp_path):
    path = _write(tmp_path / "replies.csv", ["text", "label", "parent_text"], [
        ("Yes, the ferry now leaves at six", 0, "The ferry timetable changed again"),
        ("That second penalty was saved brilliantly", 0, "The cup final went to penalties"),
    ])
    for task in ("abuse", "relevance"):
        report = _eval(path, "--task", task)
        for key in ("abuse_roc_auc", "relevance_roc_auc", "auto_published_share",
                    "auto_slip_rate", "comments_per_second"):
            assert key in report, (task, key)
    assert report["comments_per_second"] > 0  # relevance: comments scored a second
