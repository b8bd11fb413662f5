"""The desk's decisions exported as labels (`moderation export-labels`) and trained on
(`moderation train --with`)."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.moderation.labels import export_labels
from broadsheet.moderation.models import RejectionReason
from broadsheet.moderation.services import (
    comment_approve,
    comment_edit_approve,
    comment_reject,
)
from tests.conftest import make_comment
from tests.moderation.conftest import write_rows


def _reason(slug: str) -> RejectionReason:
    return RejectionReason.objects.get(slug=slug)


def _rows(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def decided(article, moderator):
    """Comments as a desk leaves them: approved, rejected for several reasons, edited."""
    fine = make_comment(article, status="pending", text="The groundsmen did well to get play on.")
    abusive = make_comment(article, status="pending", text="You are a pathetic idiot.",
                           email="angry@example.com")
    spam = make_comment(article, status="pending", text="Cheap tickets at my site.")
    off_topic = make_comment(article, status="pending", text="Anyone watching the football?")
    edited = make_comment(article, status="pending", text="Good point, call me on 0300 1234567.")
    reply = make_comment(article, parent=fine, status="pending", text="Agreed, they earned it.")
    second_look = make_comment(article, status="pending", text="Shut up, moron.")
    scanned_only = make_comment(article, status="pending", text="Never seen by a moderator.")

    comment_approve(comment=fine, actor=moderator)
    comment_reject(comment=abusive, actor=moderator, reason=_reason("personal-attack"))
    comment_reject(comment=spam, actor=moderator, reason=_reason("spam"))
    comment_reject(comment=off_topic, actor=moderator, reason=_reason("off-topic"))
    comment_edit_approve(comment=edited, actor=moderator, text="Good point.", max_length=2000)
    comment_approve(comment=reply, actor=moderator)
    # Approved first, then rejected after a reader's report: the later decision is the label.
    comment_approve(comment=second_look, actor=moderator)
    comment_reject(comment=second_look, actor=moderator, reason=_reason("abusive"))
    # The scanner's own decision is not a human label.
    comment_approve(comment=scanned_only, actor=None)
    return article


def test_abuse_labels_are_approvals_and_abuse_rejections(decided, tmp_path):
    summary = export_labels(tmp_path / "desk.csv", "abuse")
    rows = {r["text"]: r for r in _rows(tmp_path / "desk.csv")}
    assert {text: r["label"] for text, r in rows.items()} == {
        "The groundsmen did well to get play on.": "0",
        "You are a pathetic idiot.": "1",
        "Agreed, they earned it.": "0",
        "Shut up, moron.": "1",
    }
    assert summary.written == {0: 2, 1: 2}
    assert summary.left_out == {
        "rejected as spam": 1, "rejected as off-topic": 1, "edited before approval": 1,
    }


def test_rows_carry_the_article_and_the_parent_but_nothing_about_the_author(decided, tmp_path):
    export_labels(tmp_path / "desk.csv", "abuse")
    path = tmp_path / "desk.csv"
    rows = {r["text"]: r for r in _rows(path)}
    reply = rows["Agreed, they earned it."]
    assert reply["article_title"] == decided.headline
    assert reply["article_summary"] == decided.deck
    assert reply["parent_text"] == "The groundsmen did well to get play on."
    assert rows["Shut up, moron."]["parent_text"] == ""
    content = path.read_text(encoding="utf-8")
    assert "@example.com" not in content and "Bilal" not in content
    assert list(_rows(path)[0]) == [
        "text", "label", "article_title", "article_summary", "parent_text"]


def test_relevance_labels_are_approvals_and_off_topic_rejections(decided, tmp_path):
    export_labels(tmp_path / "desk.csv", "relevance")
    labels = {r["text"]: r["label"] for r in _rows(tmp_path / "desk.csv")}
    assert labels["Anyone watching the football?"] == "1"
    assert "You are a pathetic idiot." not in labels
    assert labels["The groundsmen did well to get play on."] == "0"


def test_the_command_writes_the_file_says_what_it_left_out_and_what_to_run_next(
        decided, tmp_path):
    out = io.StringIO()
    path = tmp_path / "labels" / "desk_abuse.csv"
    call_command("moderation", "export-labels", "--out", str(path), stdout=out)
    printed = out.getvalue()
    assert f"Wrote 4 labelled comments to {path}" in printed
    assert "left out 1: rejected as spam" in printed
    assert f"broadsheet moderation eval --task abuse --dataset {path}" in printed
    assert f"broadsheet moderation train --with {path}" in printed
    assert not path.with_name(path.name + ".partial").exists()


def test_the_exported_file_is_measured_by_eval(decided, tmp_path):
    path = tmp_path / "desk_abuse.csv"
    export_labels(path, "abuse")
    out = io.StringIO()
    call_command("moderation", "eval", "--task", "abuse", "--dataset", str(path), "--json",
                 stdout=out, stderr=io.StringIO())
    assert '"rows": 4' in out.getvalue()


def test_with_no_decisions_it_says_so(db, tmp_path):
    out = io.StringIO()
    call_command("moderation", "export-labels", "--out", str(tmp_path / "x.csv"), stdout=out)
    assert "No human decisions to export yet." in out.getvalue()


def _write_set(path, rows) -> None:
    write_rows(path, ["text", "label"], rows)


def _synthetic(n: int, seed: int) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rude = ["idiot", "moron", "scum", "pathetic", "clown"]
    calm = ["budget", "council", "bridge", "weather", "match", "figures"]
    rows = []
    for i in range(n):
        if i % 2:
            rows.append((f"you {rng.choice(rude)} {rng.choice(rude)} number {i}", 1))
        else:
            rows.append((f"the {rng.choice(calm)} report on the {rng.choice(calm)} {i}", 0))
    return rows


def test_train_takes_the_desk_labels_as_a_set_of_their_own(tmp_path, capsys):
    datasets = tmp_path / "datasets"
    _write_set(datasets / "public" / "public.csv", _synthetic(200, 1))
    desk = tmp_path / "desk_abuse.csv"
    _write_set(desk, _synthetic(120, 2))
    call_command("moderation", "train", "--datasets", str(datasets), "--with", str(desk),
                 "--buckets", "4096", "--C", "1", "--no-save")
    printed = capsys.readouterr().out
    assert f"with desk_abuse: {desk}" in printed
    assert "desk_abuse" in printed.split("test split ROC AUC")[1]


def test_train_refuses_a_file_without_labels(tmp_path):
    datasets = tmp_path / "datasets"
    _write_set(datasets / "public" / "public.csv", _synthetic(40, 1))
    unlabelled = tmp_path / "notes.csv"
    unlabelled.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2 has no 0/1 label"):
        call_command("moderation", "train", "--datasets", str(datasets),
                     "--with", str(unlabelled), "--no-save")
    with pytest.raises(CommandError, match="no such file"):
        call_command("moderation", "train", "--datasets", str(datasets),
                     "--with", str(tmp_path / "missing.csv"), "--no-save")


def test_a_deleted_moderators_decisions_stay_labels(decided, moderator, tmp_path):
    moderator.delete()
    assert export_labels(tmp_path / "desk.csv", "abuse").rows == 4
