"""Atom feeds of comments: only what a reader can already see on the article page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import make_article, make_comment

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_entries(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}summary") or "" for entry in root.iter(f"{ATOM}entry")]


def test_the_article_page_advertises_its_comment_feed(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Comments on '
        f'{article.headline}" href="/comments/feed/{article.pk}.atom">'
    ) in html


def test_the_article_feed_has_its_approved_comments_only(client, article, section):
    make_comment(article, text="Approved and public.")
    make_comment(article, text="Still waiting for a moderator.", status="pending")
    rejected = make_comment(article, text="Rejected for abuse.", status="rejected")
    make_comment(article, parent=rejected, text="An approved reply under a rejected comment.")
    other = make_article(section)
    make_comment(other, text="A comment on another story.")

    entries = feed_entries(client, f"/comments/feed/{article.pk}.atom")
    assert entries == ["Approved and public."]


def test_a_reply_deeper_in_a_hidden_thread_stays_out(client, article):
    root = make_comment(article, text="Root, later rejected.", status="rejected")
    child = make_comment(article, parent=root, text="Child, approved.")
    make_comment(article, parent=child, text="Grandchild, approved.")
    assert feed_entries(client, f"/comments/feed/{article.pk}.atom") == []


def test_the_site_feed_has_the_latest_approved_comments_newest_first(client, article, section):
    make_comment(article, text="Older approved.", minutes_ago=60)
    make_comment(article, text="Newer approved.", minutes_ago=5)
    make_comment(article, text="Pending one.", status="pending", minutes_ago=1)
    draft = make_article(section, status="draft")
    make_comment(draft, text="On a draft nobody can read.")
    assert feed_entries(client, "/comments/feed.atom") == ["Newer approved.", "Older approved."]


def test_feeds_never_carry_an_email_and_escape_markup(client, article):
    make_comment(article, text="<script>alert(1)</script> & more", email="secret@example.com")
    body = client.get(f"/comments/feed/{article.pk}.atom").content.decode()
    assert "secret@example.com" not in body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert feed_entries(client, "/comments/feed.atom") == ["<script>alert(1)</script> & more"]


def test_a_draft_or_missing_article_has_no_feed(client, section):
    draft = make_article(section, status="draft")
    assert client.get(f"/comments/feed/{draft.pk}.atom").status_code == 404
    assert client.get("/comments/feed/999999.atom").status_code == 404
