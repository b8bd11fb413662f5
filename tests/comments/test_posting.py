"""Posting comments and replies over HTTP, and every way a post can be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.moderation.models import Decision
from tests.conftest import comment_payload, make_article, make_comment, make_reader

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    return client.post(f"/comments/post/{article.pk}/", comment_payload(**fields))


def test_it_stores_a_new_comment_as_pending_with_its_times(client, article):
    response = post(client, article)
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert comment.submitted_at is not None and comment.decided_at is None
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash


def test_it_shows_the_pending_comment_to_its_author_only(client, django_user_model, article):
    post(client, article, text="My first thoughts on the rain delay.")
    own_view = client.get(article.get_absolute_url())
    assert b"Your comment is awaiting moderation" in own_view.content
    assert b"My first thoughts on the rain delay." in own_view.content
    assert b"Comments (0)" in own_view.content

    from django.test import Client

    other_view = Client().get(article.get_absolute_url())
    assert b"My first thoughts on the rain delay." not in other_view.content


def test_it_keeps_the_typed_text_and_says_why_when_the_text_is_empty(client, article):
    response = post(client, article, text="   ")
    assert response.status_code == 400
    assert b"Write your comment before posting." in response.content
    assert b"Sana Malik" in response.content
    assert Comment.objects.count() == 0


def test_it_refuses_text_over_the_limit_and_keeps_it(client, article):
    site = SiteSettings.load()
    site.max_comment_length = 100
    site.save()
    long_text = "Long words about the match. " * 10
    response = post(client, article, text=long_text)
    assert response.status_code == 400
    assert b"the limit is 100" in response.content
    assert b"Long words about the match." in response.content
    assert Comment.objects.count() == 0


def test_it_refuses_an_invalid_email(client, article):
    response = post(client, article, email="not-an-email")
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content
    assert Comment.objects.count() == 0


def test_it_refuses_a_reply_to_a_comment_on_another_article(client, article, section):
    other = make_article(section)
    foreign_parent = make_comment(other)
    response = post(client, article, parent=str(foreign_parent.pk))
    assert response.status_code == 400
    assert b"not on this article" in response.content
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["987654", str(2**63), "-3"])
def test_it_refuses_a_reply_to_a_comment_that_does_not_exist(client, article, parent):
    response = post(client, article, parent=parent)
    assert response.status_code == 400
    assert b"not on this article" in response.content
    assert Comment.objects.count() == 0


def test_a_reply_takes_its_thread_and_depth_from_its_parent(client, article):
    root = make_comment(article)
    child = make_comment(article, parent=root)
    response = post(client, article, parent=str(child.pk), text="Answering the second reply.")
    assert response.status_code == 303
    reply = Comment.objects.get(text="Answering the second reply.")
    assert (reply.parent_id, reply.thread_root_id, reply.depth) == (child.pk, root.pk, 2)


def test_a_stored_comment_reads_back_as_the_orm_would_have_stored_it(client, article):
    """The post's plain INSERT skips Django's preparation for plain strings and numbers: the
    row must match, field by field, what save() writes for the same comment."""
    from django.db import connection

    from broadsheet.core.sql import insert_statement, insert_values

    root = make_comment(article)
    post(client, article, parent=str(root.pk), text="Stored through the plain insert.")
    stored = Comment.objects.get(text="Stored through the plain insert.")
    _, fields = insert_statement(Comment, connection.vendor, returning_id=True)
    def comparable(values):  # PostgreSQL's JSON adapter has no equality of its own
        return [(type(value), getattr(value, "obj", value)) for value in values]

    assert comparable(insert_values(stored, fields)) == comparable(
        f.get_db_prep_save(f.pre_save(stored, True), connection) for f in fields
    )
    copy = Comment.objects.get(pk=stored.pk)
    copy.pk = None
    copy.save(force_insert=True)

    def row(pk):
        return Comment.objects.filter(pk=pk).values(*(f.attname for f in fields)).get()

    assert row(copy.pk) == row(stored.pk)


def test_it_refuses_a_reply_to_a_comment_that_is_not_approved(client, article):
    parent = make_comment(article, status="pending")
    response = post(client, article, parent=str(parent.pk))
    assert response.status_code == 400
    assert b"not published" in response.content
    assert Comment.objects.count() == 1


def test_it_refuses_a_comment_on_a_closed_article(client, article):
    article.comments_closed = True
    article.save()
    response = post(client, article)
    assert response.status_code == 400
    assert b"Comments are closed" in response.content
    assert Comment.objects.count() == 0


def test_it_closes_comments_automatically_after_the_configured_days(client, section):
    site = SiteSettings.load()
    site.close_comments_after_days = 3
    site.save()
    old = make_article(section, published_at=timezone.now() - timedelta(days=4))
    page = client.get(old.get_absolute_url())
    assert b"Comments are closed" in page.content
    assert b'id="comment-form"' in page.content and b"Post comment" not in page.content
    assert post(client, old).status_code == 400


def test_it_refuses_a_comment_on_an_unpublished_article(client, section):
    draft = make_article(section, status="draft")
    response = post(client, draft)
    assert response.status_code == 400
    assert b"not published" in response.content
    assert Comment.objects.count() == 0


def test_it_refuses_a_comment_on_a_scheduled_article(client, section):
    scheduled = make_article(section, published_at=timezone.now() + timedelta(days=1))
    assert post(client, scheduled).status_code == 400
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_it_creates_no_second_comment_on_a_double_submit(client, article):
    post(client, article)
    second = post(client, article)
    assert second.status_code == 303
    assert Comment.objects.count() == 1


def test_it_accepts_the_same_text_again_after_a_minute(client, article):
    post(client, article)
    Comment.objects.update(submitted_at=timezone.now() - timedelta(minutes=2))
    post(client, article)
    assert Comment.objects.count() == 2


def test_it_rate_limits_posts_from_one_address(client, article):
    for n in range(5):
        assert post(client, article, text=f"Comment number {n}", email=f"r{n}@example.com"
                    ).status_code == 303
    response = post(client, article, text="One too many", email="r9@example.com")
    assert response.status_code == 429
    assert b"Please wait a minute" in response.content
    assert b"One too many" in response.content
    assert Comment.objects.count() == 5


def test_it_rate_limits_posts_from_one_email_across_addresses(client, article):
    for n in range(5):
        client.post(f"/comments/post/{article.pk}/", comment_payload(text=f"Text {n}"),
                    REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = client.post(f"/comments/post/{article.pk}/", comment_payload(text="Sixth"),
                           REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429


def test_it_follows_the_configured_rate_limit(client, article):
    site = SiteSettings.load()
    site.comments_per_minute = 2
    site.save()
    post(client, article, text="one")
    post(client, article, text="two")
    assert post(client, article, text="three").status_code == 429


def test_it_rejects_a_banned_commenters_new_comment_automatically(client, article, moderator):
    from broadsheet.moderation.bans import commenter_ban

    commenter_ban(actor=moderator, email="Sana@Example.com")
    post(client, article)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason.slug == "banned"
    decision = Decision.objects.get(comment=comment)
    assert decision.actor_name == "auto-moderator"


def test_a_ban_on_an_account_applies_whatever_email_it_posts_with(
    client, article, moderator, django_user_model
):
    from broadsheet.moderation.bans import commenter_ban

    reader = make_reader("first.address@example.com")
    commenter_ban(actor=moderator, user=reader)
    client.force_login(reader)
    post(client, article, email="another.address@example.com")
    assert Comment.objects.get().status == Comment.Status.REJECTED


def test_a_lifted_ban_no_longer_rejects_and_other_commenters_are_unaffected(
    client, article, moderator
):
    from broadsheet.moderation.bans import ban_lift, commenter_ban

    ban = commenter_ban(actor=moderator, email="sana@example.com")
    post(client, article, email="someone.else@example.com", text="Unrelated commenter.")
    assert Comment.objects.get(text="Unrelated commenter.").status == Comment.Status.PENDING
    ban_lift(ban=ban)
    post(client, article, text="Back after the ban was lifted.")
    assert Comment.objects.get(text="Back after the ban was lifted.").status == "pending"


def test_a_double_submit_gives_back_the_first_comment(client, article):
    from broadsheet.comments.services import comment_submit

    first, created = comment_submit(article=article, author_name="Sana",
                                    author_email="sana@example.com", text="Same words.")
    again, created_again = comment_submit(article=article, author_name="Sana",
                                          author_email="SANA@example.com", text="Same   words.")
    assert created and not created_again and again.pk == first.pk


def test_it_needs_a_csrf_token(article):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/comments/post/{article.pk}/", comment_payload())
    assert response.status_code == 403
    assert Comment.objects.count() == 0
    page = strict.get(article.get_absolute_url())
    assert b'name="csrfmiddlewaretoken"' in page.content


def test_it_answers_a_get_on_the_post_address_with_405(client, article):
    assert client.get(f"/comments/post/{article.pk}/").status_code == 405
