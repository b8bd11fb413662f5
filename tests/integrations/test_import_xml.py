"""Importing Disqus and WordPress exports: threads become articles, comments keep their
authors, dates, parents and states; a second run adds nothing; a broken file adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.integrations.models import ExternalStory
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def run_import(kind: str, name: str, capsys, *extra: str) -> str:
    call_command("import", kind, str(FIXTURES / name), *extra)
    return capsys.readouterr().out


def by_author(name: str) -> list[Comment]:
    return list(Comment.objects.filter(author_name=name).order_by("submitted_at"))


def test_a_disqus_export_becomes_articles_and_comments(capsys):
    out = run_import("disqus", "disqus-small.xml", capsys)
    assert "Imported 5 comment(s)" in out and "Articles: 2 created" in out

    ferry = ExternalStory.objects.get(url="https://gazette.example/2021/03/ferry-timetable-changes")
    assert ferry.article.headline == "Ferry timetable changes from April"
    assert ferry.article.body == "The morning crossing moves to 07:10."
    assert ferry.article.is_published

    rosa_first = by_author("Rosa")[0]
    assert rosa_first.status == "approved" and rosa_first.author_email == "rosa@readers.example"
    assert rosa_first.text == "Ten minutes earlier means I miss the connecting bus.\n\nNot great."
    assert rosa_first.submitted_at == datetime(2021, 3, 2, 9, 15, tzinfo=UTC)
    assert rosa_first.scan_state == "skipped"

    # The reply comes before its parent in the file and still ends up under it.
    reply = by_author("Tomas")[0]
    assert reply.parent_id == rosa_first.pk and reply.thread_root_id == rosa_first.pk
    assert reply.depth == 1
    assert reply.text == (
        "Replying to Rosa: the bus link still works, see the route 4 page "
        "(https://transit.example/route-4)."
    )
    assert "https://transit.example/route-4" in reply.text_html  # linked when shown

    spam = by_author("Deals")[0]
    assert spam.status == "rejected" and spam.rejection_reason.slug == "imported-spam"
    deleted = by_author("Rosa")[1]
    assert deleted.status == "rejected" and deleted.rejection_reason.slug == "imported-deleted"
    assert by_author("Ines")[0].status == "pending"
    assert by_author("Ines")[0].text == "Will the footpath stay open & lit at night?"


def test_without_scan_nothing_is_queued(capsys, settings, django_capture_on_commit_callbacks):
    settings.BROADSHEET_SCANNING = True
    with django_capture_on_commit_callbacks(execute=True):
        run_import("disqus", "disqus-small.xml", capsys)
    assert set(Comment.objects.values_list("scan_state", flat=True)) == {"skipped"}


def test_importing_the_same_file_twice_adds_nothing(capsys):
    run_import("disqus", "disqus-small.xml", capsys)
    counts = (Comment.objects.count(), Article.objects.count())
    out = run_import("disqus", "disqus-small.xml", capsys)
    assert (Comment.objects.count(), Article.objects.count()) == counts
    assert "Imported 0 comment(s)." in out and "left alone): 5" in out


@pytest.mark.parametrize("name, site", [
    ("wxr-1.2-small.xml", "hilltop.example"), ("wxr-1.1-small.xml", "valley.example"),
])
def test_a_wordpress_export_keeps_threads_states_and_skips_pingbacks(capsys, name, site):
    out = run_import("wordpress", name, capsys)
    assert "Imported 5 comment(s)" in out and "1 pingbacks" in out
    assert "Articles: 1 created" in out  # the page without comments makes no article
    article = ExternalStory.objects.get(url=f"https://{site}/2020/06/school-roof").article
    assert article.published_at == datetime(2020, 6, 15, 9, tzinfo=UTC)
    assert "roof works" in article.body

    question, answer = by_author("Priya")[0], by_author("Hilltop Weekly")[0]
    thanks = by_author("Priya")[1]
    assert question.submitted_at == datetime(2020, 6, 15, 11, tzinfo=UTC)
    assert answer.parent_id == question.pk and answer.depth == 1
    assert answer.text == (
        "In the library annexe, says the head teacher.\n"
        f"Details here (https://{site}/club)."
    )
    assert thanks.parent_id == answer.pk and thanks.thread_root_id == question.pk
    assert thanks.depth == 2 and thanks.status == "pending"
    assert by_author("Loans Now")[0].rejection_reason.slug == "imported-spam"
    assert by_author("Old Reader")[0].rejection_reason.slug == "imported-deleted"
    assert not Comment.objects.filter(author_name="Another Blog").exists()


def test_comments_attach_to_an_existing_story_by_its_address(capsys):
    run_import("wordpress", "wxr-1.2-small.xml", capsys)
    article = ExternalStory.objects.get().article
    Comment.objects.all().delete()
    from broadsheet.integrations.models import ImportedComment

    ImportedComment.objects.all().delete()
    run_import("wordpress", "wxr-1.2-small.xml", capsys)
    assert Article.objects.count() == 1
    assert set(Comment.objects.values_list("article_id", flat=True)) == {article.pk}


def test_comments_for_one_of_our_own_articles_attach_to_it(capsys, section, settings, tmp_path):
    settings.SITE_URL = "https://news.example"
    own = make_article(section)
    source = (FIXTURES / "wxr-1.2-small.xml").read_text().replace(
        "https://hilltop.example/2020/06/school-roof/",
        f"https://news.example{own.get_absolute_url()}?ref=home",
    )
    path = tmp_path / "own.xml"
    path.write_text(source)
    call_command("import", "wordpress", str(path))
    assert set(Comment.objects.values_list("article_id", flat=True)) == {own.pk}
    assert not ExternalStory.objects.exists()


def test_scan_queues_the_imported_pending_comments(
    capsys, settings, django_capture_on_commit_callbacks
):
    settings.BROADSHEET_SCANNING = True
    with django_capture_on_commit_callbacks(execute=True):
        run_import("disqus", "disqus-small.xml", capsys, "--scan")
    pending = by_author("Ines")[0]
    assert pending.scan_state == "scanned"  # the sync runner scanned it after commit
    assert by_author("Rosa")[0].scan_state == "skipped"


def test_a_malformed_file_names_the_place_and_imports_nothing(capsys):
    with pytest.raises(CommandError) as raised:
        run_import("wordpress", "wxr-malformed.xml", capsys)
    message = str(raised.value)
    assert "\n" not in message
    assert "wxr-malformed.xml: line 50, column" in message and "mismatched tag" in message
    assert "Nothing was imported" in message
    assert not Comment.objects.exists() and not Article.objects.exists()


def test_a_file_of_the_wrong_kind_is_refused(capsys):
    with pytest.raises(CommandError, match="no <item> found"):
        run_import("wordpress", "disqus-small.xml", capsys)
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "disqus", str(FIXTURES / "missing.xml"))


def test_an_entity_bomb_is_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><disqus>&b;</disqus>'
    )
    with pytest.raises(CommandError, match="entities or a DTD"):
        call_command("import", "disqus", str(path))


def test_a_post_without_a_thread_is_named(tmp_path):
    source = (FIXTURES / "disqus-small.xml").read_text().replace(
        '<thread dsq:id="5002"/>', '<thread dsq:id="9999"/>'
    )
    path = tmp_path / "orphan.xml"
    path.write_text(source)
    with pytest.raises(CommandError, match=r"post 5 \(dsq:id '7005'\): its thread '9999'"):
        call_command("import", "disqus", str(path))
    assert not Comment.objects.exists()
