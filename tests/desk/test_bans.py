"""Banning a commenter from a comment, and lifting the ban."""

from __future__ import annotations

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Ban
from tests.conftest import comment_payload, make_comment


def test_it_asks_for_confirmation_before_banning(moderator_client, article):
    comment = make_comment(article, status="pending", email="troll@example.com")

    response = moderator_client.get(f"/desk/comments/{comment.pk}/ban/?next=/desk/")

    assert response.status_code == 200
    assert b"Ban Bilal?" in response.content
    assert b"Email address: troll@example.com" in response.content
    assert not Ban.objects.exists()


def test_it_bans_by_email_so_the_next_comment_is_rejected_automatically(
    client, moderator_client, article
):
    comment = make_comment(article, status="pending", email="Troll@Example.com")

    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/",
        {"target": "email", "note": "repeated abuse", "reject_comment": "on", "next": "/desk/"},
        follow=True,
    )
    client.logout()
    client.post(
        f"/comments/post/{article.pk}/",
        comment_payload(email="troll@example.com", text="I am back with more of the same."),
    )

    assert response.redirect_chain == [("/desk/", 303)]
    assert b"Banned troll@example.com." in response.content
    ban = Ban.objects.get()
    assert (ban.email, ban.note, ban.created_by.username) == (
        "troll@example.com", "repeated abuse", "moderator"
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.rejection_reason.slug == "banned"
    newest = Comment.objects.latest("id")
    assert newest.text == "I am back with more of the same."
    assert newest.status == Comment.Status.REJECTED
    assert newest.rejection_reason.slug == "banned"


def test_it_bans_a_signed_in_commenter_by_account(moderator_client, article, reader):
    comment = make_comment(article, status="pending", user=reader)

    moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/", {"target": "account", "next": "/desk/"}
    )

    ban = Ban.objects.get()
    # The account, and the address it signs in with, whatever address it comments under.
    assert (ban.user, ban.email) == (reader, reader.email)


def test_it_refuses_to_ban_by_account_when_the_commenter_had_none(moderator_client, article):
    comment = make_comment(article, status="pending")

    response = moderator_client.post(f"/desk/comments/{comment.pk}/ban/", {"target": "account"})

    assert response.status_code == 400
    assert b"there is no account to ban. Ban the email address instead." in response.content
    assert not Ban.objects.exists()


def test_it_lists_active_bans_and_lifts_one(client, moderator_client, article, moderator):
    lifted_before = Ban.objects.create(email="old@example.com", created_by=moderator)
    lifted_before.lifted_at = lifted_before.created_at
    lifted_before.save()
    ban = Ban.objects.create(email="troll@example.com", note="spam links", created_by=moderator)

    listing = moderator_client.get("/desk/bans/")
    lifted = moderator_client.post(f"/desk/bans/{ban.pk}/lift/", follow=True)
    client.logout()
    client.post(f"/comments/post/{article.pk}/", comment_payload(email="troll@example.com"))

    assert b"troll@example.com" in listing.content
    assert b"spam links" in listing.content
    assert b"old@example.com" not in listing.content
    assert b"Lifted the ban on troll@example.com." in lifted.content
    assert b"No one is banned." in lifted.content
    assert Comment.objects.latest("id").status == Comment.Status.PENDING


def test_it_says_so_when_a_ban_was_already_lifted(moderator_client, moderator):
    ban = Ban.objects.create(email="troll@example.com", created_by=moderator)
    moderator_client.post(f"/desk/bans/{ban.pk}/lift/")

    again = moderator_client.post(f"/desk/bans/{ban.pk}/lift/", follow=True)

    assert b"That ban was already lifted." in again.content


def test_it_says_so_when_the_commenter_was_already_banned(moderator_client, article, moderator):
    Ban.objects.create(email="troll@example.com", created_by=moderator)
    comment = make_comment(article, status="pending", email="troll@example.com")

    page = moderator_client.get(f"/desk/comments/{comment.pk}/ban/")
    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/", {"target": "email"}, follow=True
    )

    assert b"This commenter is already banned (email troll@example.com)." in page.content
    assert b"troll@example.com was already banned; nothing new was added." in response.content
    assert Ban.objects.count() == 1
