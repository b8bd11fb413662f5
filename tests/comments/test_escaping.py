"""What readers write is shown as text, never run as HTML; emails are never public."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation.services import comment_approve
from tests.conftest import comment_payload, make_comment

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_field_is_shown_as_text(client, article, moderator):
    client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(name=f"Evil {SCRIPT}", text=f"Look {SCRIPT} here"),
    )
    comment_approve(comment=Comment.objects.get(), actor=moderator)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_html_is_kept_literally_in_a_form_shown_again(client, article):
    response = client.post(
        f"/comments/post/{article.pk}/", comment_payload(email="bad", text=f"Hi {SCRIPT}")
    )
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()


def test_links_in_comments_are_nofollow_ugc_and_paragraphs_are_kept(client, article):
    make_comment(article, text="See https://example.org/report for details.\n\nSecond paragraph.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/report" rel="nofollow ugc">' in html
    assert "<p>Second paragraph.</p>" in html


def test_emails_never_appear_on_public_pages(client, article):
    make_comment(article, email="secret.reader@example.com")
    for url in ("/", article.get_absolute_url(), "/feeds/latest.rss", "/sitemap.xml"):
        assert b"secret.reader@example.com" not in client.get(url).content


def test_a_headline_cannot_break_out_of_the_json_ld_block(client, article):
    article.headline = "Rain </script><script>alert(1)</script>"
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
