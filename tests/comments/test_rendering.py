"""A comment's text is rendered once when stored, and drawn the same however it was written."""

from __future__ import annotations

import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.comments.services import comment_fingerprint, text_fingerprint
from broadsheet.moderation.services import comment_edit_approve
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


def test_the_rendered_text_is_stored_with_the_comment(article):
    comment = make_comment(article, text="Tea <b>now</b>\n\nSee https://example.org/x")
    stored = Comment.objects.values_list("text_html", flat=True).get(pk=comment.pk)
    assert stored.startswith("<p>Tea &lt;b&gt;now&lt;/b&gt;</p>")
    assert 'href="https://example.org/x" rel="nofollow ugc"' in stored


def test_an_edit_by_the_desk_renders_the_new_text(article, moderator):
    comment = make_comment(article, status="pending", text="First draft <i>here</i>")
    comment_edit_approve(comment=comment, actor=moderator, text="Trimmed & fair", max_length=500)
    stored = Comment.objects.values_list("text_html", flat=True).get(pk=comment.pk)
    assert stored == "<p>Trimmed &amp; fair</p>"


def test_rows_written_in_bulk_without_rendering_are_still_escaped_on_the_page(client, article):
    text = "Bulk <script>alert(1)</script> row"
    now = timezone.now()
    Comment.objects.bulk_create([
        Comment(
            article=article, author_name="Importer", author_email="i@example.com", text=text,
            fingerprint=comment_fingerprint(
                article_id=article.pk, author_email="i@example.com", text=text
            ),
            text_fingerprint=text_fingerprint(text), status="approved", submitted_at=now,
            decided_at=now,
        )
    ])
    assert Comment.objects.get().text_html == ""
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Bulk &lt;script&gt;alert(1)&lt;/script&gt; row" in html
    assert "<script>alert(1)" not in html


def test_a_thread_page_shows_names_times_and_actions(client, article):
    root = make_comment(article, name="Amina <Q>", minutes_ago=90)
    make_comment(article, parent=root, name="Tom", minutes_ago=5)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="author">Amina &lt;Q&gt;</span>' in html
    assert ">1 hour ago</time>" in html and ">5 minutes ago</time>" in html
    assert '<p class="replying-to">Replying to Amina &lt;Q&gt;</p>' in html
    assert f'href="/comments/{root.pk}/report/"' in html
    assert f'hx-get="/comments/{root.pk}/reply/" hx-target="#reply-slot-{root.pk}"' in html


def test_a_text_changed_anywhere_else_is_rendered_again_on_save(article):
    comment = make_comment(article, text="Before")
    loaded = Comment.objects.get(pk=comment.pk)
    loaded.text = "After <em>edit</em>"
    loaded.save()
    assert Comment.objects.get(pk=comment.pk).text_html == "<p>After &lt;em&gt;edit&lt;/em&gt;</p>"


def test_text_without_links_is_drawn_exactly_as_django_urlize_would_draw_it():
    from django.utils.html import urlize

    from broadsheet.core.text import render_comment_text

    samples = [
        "Plain words, nothing else.", "<script>alert('x')</script> & \"quotes\"",
        "Ends with a full stop. Then: a colon; and 3.5 per cent.", "e.g. i.e. U.S. Dr. Smith",
        "see example.com/path now", "mail me at someone@example.org", "http://a.b/c?d=e&f=g",
        "WWW.EXAMPLE.CO.UK and Example.COM", "a.net-zero plan", "ratio 2:1 at 10:30",
        "tabs\tand\u00a0odd spaces", "line one\nline two", "(www.x.org)", "'single' <b>bold</b>",
    ]
    for text in samples:
        expected = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True).replace(
            'rel="nofollow"', 'rel="nofollow ugc"'
        ).replace("\n", "<br>")
        assert render_comment_text(text) == f"<p>{expected}</p>", text
