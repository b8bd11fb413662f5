"""The demo loader: repeatable, and what it loads shows every part of the comment section."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from broadsheet.articles.models import Article, Author, Image, Section, Tag
from broadsheet.comments.models import Comment, Report
from broadsheet.core.models import Page, Profile
from broadsheet.demo import content
from broadsheet.moderation.models import Ban, Decision
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

COUNTED = (Article, Author, Section, Tag, Comment, Decision, Report, Ban, Page, Profile)


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    found = {model.__name__: model.objects.count() for model in COUNTED}
    found["User"] = get_user_model().objects.count()
    return found


def busy_article() -> Article:
    return Article.objects.get(slug=content.MANY_THREADS_ARTICLE)


def test_the_migration_gives_every_install_a_comments_faq():
    page = Page.objects.get(slug="comments-faq")
    assert "on-topic and not abusive" in page.body


def test_loading_twice_adds_nothing_the_second_time(monkeypatch, settings):
    monkeypatch.setenv("PORT", "8000")
    # As make demo runs it: no EMAIL_HOST (the suite's own default is an in-memory outbox).
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    first = load_demo()
    after_first = counts()
    second = load_demo()
    assert counts() == after_first
    assert after_first["Article"] == 4
    assert "already there" in second
    for out in (first, second):
        assert "Staff login: editor / broadsheet-demo at http://127.0.0.1:8000/desk/" in out
        assert ("Reader login: reader@broadsheet.example / broadsheet-reader at "
                "http://127.0.0.1:8000/accounts/login/") in out
        assert "Comments: 60 (approved 44, pending 9, rejected 7)" in out
        assert "Emails are not sent: each is written as a file under " in out


def test_reset_reloads_the_demo_and_spares_other_articles():
    load_demo()
    before = counts()
    old_pk = busy_article().pk
    # An editor's own story in a demo section, with a demo author, must survive a reset.
    own = make_article(Section.objects.get(slug="city"), headline="The editor's own story")
    own.authors.add(Author.objects.get(slug="farah-siddiqui"))

    out = load_demo("--reset")

    assert "Reset: removed 4 demo articles" in out
    assert busy_article().pk != old_pk
    assert counts() == before | {"Article": before["Article"] + 1}
    assert Article.objects.filter(pk=own.pk).exists()


def test_the_editor_can_sign_in_and_the_engagement_team_is_labelled():
    load_demo()
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff and editor.is_superuser
    assert editor.check_password("broadsheet-demo")
    team = Profile.objects.get(user__username=content.ENGAGEMENT_USERNAME)
    assert team.verified_label == "Digital Engagement Team, The Broadsheet"
    assert Comment.objects.filter(user=team.user, status="approved").count() >= 2


def test_an_existing_editor_account_keeps_its_password():
    get_user_model().objects.create_user("editor", password="someone-elses-secret")
    out = load_demo()
    assert "Staff login:" not in out
    assert get_user_model().objects.get(username="editor").check_password("someone-elses-secret")


def test_it_refuses_to_run_outside_development(settings):
    settings.DEV_MODE = False
    with pytest.raises(CommandError, match="BROADSHEET_DEV=1"):
        load_demo()
    assert not Article.objects.exists()


def test_the_busy_article_pages_its_threads_and_caps_the_indent(client):
    load_demo()
    article = busy_article()
    assert article.comments.filter(status="approved", depth=0).count() > 10
    html = client.get(article.get_absolute_url()).content.decode()
    assert "View more comments" in html
    assert "Comments (28)" in html
    # The depth-4 reply stays at the last indent level and says whom it answers.
    deepest = article.comments.get(depth=4)
    item = html[html.index(f'id="c{deepest.pk}"') - 120 : html.index(f'id="c{deepest.pk}"')]
    assert "level-3" in item
    assert "Digital Engagement Team, The Broadsheet" in html
    for pending in article.comments.filter(status="pending"):
        assert pending.text[:40] not in html


def test_the_moderation_history_reads_like_real_work():
    load_demo()
    now = timezone.now()
    comments = Comment.objects.select_related("parent")
    for comment in comments:
        assert comment.submitted_at <= now
        assert comment.submitted_at >= comment.article.published_at
        if comment.parent is not None:
            assert comment.parent.status == "approved"
            assert comment.parent.decided_at < comment.submitted_at
            assert comment.thread_root.depth == 0
            assert comment.depth == comment.parent.depth + 1
    for rejected in comments.filter(status="rejected"):
        decision = rejected.decisions.get()
        assert decision.action == "reject" and decision.actor_name == "editor"
        assert rejected.rejection_reason is not None and decision.note
    edited = Decision.objects.get(action="edit-approve")
    assert "0321" in edited.text_before and "0321" not in edited.comment.text
    report = Report.objects.get(resolved_at__isnull=True)
    assert report.comment.status == "approved" and report.comment.open_report_count == 1
    assert not comments.filter(status="pending", decided_at__isnull=False).exists()


def test_the_faq_page_renders_the_policy(client):
    load_demo()
    response = client.get("/pages/comments-faq/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1 class=\"headline\">Comments FAQ</h1>" in html
    for phrase in ("on-topic and not abusive", "Report", "banned", "never shown"):
        assert phrase in html


def test_the_closed_article_takes_no_comments(client):
    load_demo()
    closed = Article.objects.get(slug=content.CLOSED_ARTICLE)
    html = client.get(closed.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert "9 years ago" in html


def test_the_teal_line_story_has_its_lead_picture_with_caption_and_credit(client):
    load_demo()
    article = Article.objects.get(slug=content.MANY_THREADS_ARTICLE)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<figure class="lead-image"><img src="/media/images/renditions/' in html
    assert "480w" in html and "1600w" in html
    assert "A Teal Line bus at a corridor station" in html
    assert '<span class="credit">Illustration: Broadsheet demo</span>' in html
    served = client.get("/media/" + article.lead_image.renditions[0]["name"])
    assert served.status_code == 200
    load_demo("--reset")
    assert Article.objects.get(slug=content.MANY_THREADS_ARTICLE).lead_image is not None
    assert Image.objects.count() == 1, "a reset replaces the demo's picture, not adds one"
