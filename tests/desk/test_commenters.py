"""Who is behind a comment: the kind of commenter, their record by account, notes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from broadsheet.moderation.commenters import commenter_kind
from broadsheet.moderation.models import CommenterNote
from tests.conftest import make_comment


def test_the_desk_shows_an_anonymous_a_verified_and_a_subscribing_commenter(
    moderator_client, article, reader, django_user_model
):
    subscriber = django_user_model.objects.create_user("subscriber", "sub@example.com", "pw")
    subscriber.groups.add(Group.objects.create(name="subscribers"))
    anonymous = make_comment(article, status="pending", name="Anon")
    verified = make_comment(article, status="pending", user=reader, name="Reader R")
    subscribing = make_comment(article, status="pending", user=subscriber, name="Sub S")

    page = moderator_client.get("/desk/").content.decode()

    assert [commenter_kind(c) for c in (anonymous, verified, subscribing)] == [
        "anonymous", "verified", "subscriber"
    ]
    assert 'desk-kind--anonymous">No account<' in page
    assert 'desk-kind--verified">Verified account<' in page
    assert 'desk-kind--subscriber">Subscriber<' in page


def test_an_accounts_record_counts_every_address_it_used(moderator_client, article, reader):
    make_comment(article, status="approved", user=reader, email="old.address@example.com")
    make_comment(article, status="rejected", user=reader, email="new.address@example.com")
    # Someone else typing one of those addresses without the account is not in its record.
    make_comment(article, status="rejected", email="new.address@example.com")
    current = make_comment(article, status="pending", user=reader, email="newest@example.com")

    page = moderator_client.get("/desk/").content.decode()
    commenter_page = moderator_client.get(f"/desk/comments/{current.pk}/commenter/")

    assert "1 approved · 1 rejected" in page
    assert commenter_page.status_code == 200
    body = commenter_page.content.decode()
    assert "old.address@example.com" in body and "new.address@example.com" in body
    assert body.count('class="desk-status-label') == 3


def test_a_note_shows_on_every_comment_of_the_commenter(moderator_client, article, reader):
    first = make_comment(article, status="pending", user=reader, email="one@example.com")
    second = make_comment(article, status="pending", user=reader, email="two@example.com")
    stranger = make_comment(article, status="pending", email="stranger@example.com",
                            text="Someone else entirely.")

    added = moderator_client.post(
        f"/desk/comments/{first.pk}/commenter/?next=/desk/",
        {"text": "Warned by phone about <b>insults</b>"}, follow=True,
    )

    assert b"Note added." in added.content
    note = CommenterNote.objects.get()
    assert (note.user, note.email_key, note.created_by_name) == (reader, "", "moderator")
    page = moderator_client.get("/desk/").content.decode()
    assert page.count("Warned by phone about &lt;b&gt;insults&lt;/b&gt;") == 2
    detail = moderator_client.get(f"/desk/comments/{second.pk}/").content.decode()
    assert "Warned by phone" in detail
    assert "Warned by phone" not in moderator_client.get(
        f"/desk/comments/{stranger.pk}/"
    ).content.decode()


def test_a_note_on_a_commenter_without_an_account_follows_the_mailbox(
    moderator_client, article
):
    first = make_comment(article, status="pending", email="Sana.Malik@gmail.com")
    later = make_comment(article, status="pending", email="sanamalik+news@googlemail.com",
                         text="Another day, another spelling.")

    moderator_client.post(f"/desk/comments/{first.pk}/commenter/", {"text": "Spams links"})

    assert CommenterNote.objects.get().email_key == "sanamalik@gmail.com"
    assert "Spams links" in moderator_client.get(
        f"/desk/comments/{later.pk}/"
    ).content.decode()


@pytest.mark.parametrize("text, message", [
    ("   ", b"Write the note first."),
    ("x" * 1001, b"Keep the note under 1000 characters."),
])
def test_an_empty_or_overlong_note_is_refused(moderator_client, article, text, message):
    comment = make_comment(article, status="pending")

    response = moderator_client.post(f"/desk/comments/{comment.pk}/commenter/", {"text": text})

    assert response.status_code == 400
    assert message in response.content
    assert not CommenterNote.objects.exists()


def test_readers_cannot_see_or_add_notes(client, reader, article):
    comment = make_comment(article, status="pending")
    client.force_login(reader)

    response = client.post(f"/desk/comments/{comment.pk}/commenter/", {"text": "hi"})

    assert response.status_code in (302, 403)
    assert not CommenterNote.objects.exists()


def test_a_reader_flagged_by_the_newsrooms_sign_in_is_shown_as_a_subscriber(article):
    from tests.conftest import make_reader

    flagged = make_reader("flagged@example.com", "Flag F", subscriber=True)
    plain = make_reader("plain@example.com", "Plain P")

    kinds = [
        commenter_kind(make_comment(article, status="pending", user=user, name="X"))
        for user in (flagged, plain)
    ]

    assert kinds == ["subscriber", "verified"]
