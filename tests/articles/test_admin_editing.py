"""The article form fits an editor's job: room to write, a preview, schedules and time zones."""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from broadsheet.core.models import SiteSettings
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

PREVIEW = "/admin/articles/article/preview/"


def test_headline_and_deck_have_room_to_write(editor_client):
    html = editor_client.get("/admin/articles/article/add/").content.decode()
    headline = re.search(r'<input [^>]*name="headline"[^>]*>', html).group(0)
    assert "article-wide" in headline
    deck = re.search(r'<textarea [^>]*name="deck"[^>]*>', html).group(0)
    assert 'class="article-wide"' in deck
    assert "broadsheet/admin.css" in html and "broadsheet/admin-preview.js" in html


def test_the_preview_draws_the_body_as_the_page_does_and_keeps_it_safe(editor_client):
    response = editor_client.post(PREVIEW, {
        "body": "The *ground staff* worked.\n\n<script>alert(1)</script>\n\n"
                '<a href="javascript:alert(2)">x</a>',
        "dateline": "Karachi",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert '<p><span class="dateline">KARACHI:</span> The <em>ground staff</em> worked.</p>' in html
    assert "<script>" not in html and "javascript:" not in html


def test_the_preview_is_for_staff_only_and_checks_csrf(client, editor_client, reader):
    assert client.get(PREVIEW).status_code == 405
    client.logout()
    anonymous = Client().post(PREVIEW, {"body": "x"})
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    readers = Client()
    readers.force_login(reader)
    assert readers.post(PREVIEW, {"body": "x"}).status_code == 302
    editor = get_user_model().objects.get(username="editor")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(PREVIEW, {"body": "x"}).status_code == 403


def test_the_change_form_shows_the_body_preview_without_javascript(editor_client, article):
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    preview = re.search(r'<div class="article-preview body" id="article-preview"[^>]*>(.*?)</div>',
                        html, re.S)
    assert 'data-preview-url="/admin/articles/article/preview/"' in preview.group(0)
    assert "<em>ground staff</em>" in preview.group(1)


def test_scheduled_articles_are_marked_and_filtered(editor_client, section):
    make_article(section, headline="Budget passes the assembly")
    make_article(section, headline="Election results tonight",
                 published_at=timezone.now() + timedelta(days=1))
    make_article(section, headline="Unfinished profile", status="draft")
    html = editor_client.get("/admin/articles/article/").content.decode()
    rows = {re.sub(r"<[^>]+>", " ", row) for row in re.findall(r"<tr>.*?</tr>", html, re.S)}
    status_of = {
        headline: next(" ".join(r.split()) for r in rows if headline in r)
        for headline in ("Budget passes", "Election results", "Unfinished profile")
    }
    assert "Published" in status_of["Budget passes"]
    assert "Scheduled" in status_of["Election results"]
    assert "Draft" in status_of["Unfinished profile"]
    scheduled = editor_client.get("/admin/articles/article/?publication=scheduled")
    assert "Election results tonight" in scheduled.content.decode()
    assert "Budget passes the assembly" not in scheduled.content.decode()
    published = editor_client.get("/admin/articles/article/?publication=published")
    assert "Budget passes the assembly" in published.content.decode()
    assert "Election results tonight" not in published.content.decode()


def test_every_time_field_names_the_site_time_zone(editor_client, article, settings):
    settings.TIME_ZONE = "Asia/Karachi"
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Times are in Asia/Karachi" in html
    listing = editor_client.get("/admin/articles/article/").content.decode()
    local = timezone.localtime(article.published_at, dt.timezone(dt.timedelta(hours=5)))
    assert local.strftime("%H:%M PKT") in listing


def test_editors_set_the_print_edition_line_per_site(client, article, editor_client, settings):
    settings.BROADSHEET_PAGE_CACHE = False
    article.print_edition_date = dt.date(2014, 7, 22)
    article.save()
    site = SiteSettings.load()
    site.print_edition_line = "Published in The Express Tribune, {date}."
    site.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Published in The Express Tribune, July 22nd, 2014." in html


def test_the_default_print_edition_line_names_the_paper(client, article):
    article.print_edition_date = dt.date(2014, 7, 1)
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Published in The Broadsheet, July 1st, 2014." in html


def test_a_print_edition_line_without_its_date_is_refused(editor_client):
    site = SiteSettings.load()
    form = {f: getattr(site, f) or "" for f in (
        "site_name", "paper_name", "max_comment_length", "max_reply_depth", "threads_per_page",
        "comments_per_minute", "moderation_policy")}
    for line, message in (("Published in {paper}.", "Put {date} where the print date goes"),
                          ("Published {when}: {date}", "Only {paper} and {date}")):
        response = editor_client.post("/admin/core/sitesettings/1/change/",
                                      {**form, "print_edition_line": line})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert SiteSettings.load().print_edition_line == "Published in {paper}, {date}."
