"""Export as JSON lines and import the file into an empty site: the same comments come back."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.articles.models import Article, Section
from broadsheet.comments.models import Comment
from broadsheet.integrations.models import ExternalStory, ImportedComment
from broadsheet.moderation.models import Decision, RejectionReason
from broadsheet.moderation.services import comment_approve, comment_edit_approve, comment_reject
from tests.conftest import make_article, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_site(article, section, moderator):
    other = make_article(section, headline="Stadium lights fail again")
    root = make_comment(article, status="pending", text="First!", email="a@readers.example")
    comment_approve(comment=root, actor=moderator)
    reply = make_comment(article, parent=root, status="pending", text="Second, then.")
    comment_edit_approve(comment=reply, actor=moderator, text="Second.", max_length=500)
    deep = make_comment(article, parent=reply, status="approved", text="Third level")
    make_comment(article, parent=deep, status="pending", text="Still waiting")
    abuse = RejectionReason.objects.create(slug="abuse", label="Abusive")
    rejected = make_comment(other, status="pending", text="You are all idiots", name="Troll")
    comment_reject(comment=rejected, actor=moderator, reason=abuse, note="first warning")
    make_comment(other, status="approved", text="Ünïcode and “quotes” survive")
    return article


def wipe_site() -> None:
    Decision.objects.all().delete()
    Comment.objects.all().delete()
    ExternalStory.objects.all().delete()
    Article.objects.all().delete()
    Section.objects.all().delete()
    RejectionReason.objects.all().delete()
    ImportedComment.objects.all().delete()


def test_export_then_import_into_an_empty_site_reproduces_every_comment(busy_site, tmp_path):
    first = tmp_path / "first.jsonl"
    call_command("export", "--format", "jsonl", "--out", str(first), "--with-history")
    lines = [json.loads(line) for line in first.read_text().splitlines()]
    assert len(lines) == Comment.objects.count() == 6
    assert {line["status"] for line in lines} == {"approved", "pending", "rejected"}
    troll = next(line for line in lines if line["author_name"] == "Troll")
    assert troll["rejection_reason"] == "abuse"
    assert [d["action"] for d in troll["decisions"]] == ["reject"]
    assert troll["decisions"][0]["note"] == "first warning"

    wipe_site()
    call_command("import", "jsonl", str(first))
    second = tmp_path / "second.jsonl"
    call_command("export", "--format", "jsonl", "--out", str(second), "--with-history")
    assert second.read_text() == first.read_text()

    # The threads work on the new site's pages, too.
    still_waiting = Comment.objects.get(text="Still waiting")
    assert still_waiting.depth == 3
    assert still_waiting.thread_root.text == "First!"
    assert Comment.objects.get(text="Second.").decisions.get().text_before == "Second, then."

    # Importing it again adds nothing.
    call_command("import", "jsonl", str(first))
    assert Comment.objects.count() == 6


def test_export_without_history_has_no_decisions_and_new_ids_follow_the_imported(
    busy_site, tmp_path, client
):
    out = tmp_path / "plain.jsonl"
    call_command("export", "--out", str(out))
    first = json.loads(out.read_text().splitlines()[0])
    assert "decisions" not in first and first["author_email"] == "a@readers.example"
    highest = max(json.loads(line)["id"] for line in out.read_text().splitlines())
    wipe_site()
    call_command("import", "jsonl", str(out))
    article = Article.objects.get(headline=busy_site.headline)
    newer = make_comment(article, text="Posted after the move")
    assert newer.pk > highest


def test_a_broken_line_is_named_and_nothing_is_imported(busy_site, tmp_path):
    out = tmp_path / "broken.jsonl"
    call_command("export", "--out", str(out))
    lines = out.read_text().splitlines()
    lines[2] = lines[2][:-5]
    out.write_text("\n".join(lines) + "\n")
    wipe_site()
    with pytest.raises(CommandError) as raised:
        call_command("import", "jsonl", str(out))
    assert "line 3, column" in str(raised.value) and "not valid JSON" in str(raised.value)
    assert not Comment.objects.exists() and not Article.objects.exists()


def test_a_line_missing_a_field_is_named(tmp_path):
    out = tmp_path / "missing.jsonl"
    out.write_text(json.dumps({"id": 1, "article_url": "https://x.example/a", "text": "hi"}) + "\n")
    with pytest.raises(CommandError, match="line 1: missing author_name, created_at, status"):
        call_command("import", "jsonl", str(out))


def test_export_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export", "--out", str(tmp_path / "nowhere" / "x.jsonl"))
