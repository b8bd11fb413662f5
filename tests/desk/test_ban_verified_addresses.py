"""An account's ban reaches every address the account has verified, before or after the ban,
so a reader cannot comment around it under another of their addresses; an unverified address
is anyone's and stays free."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Ban
from tests.conftest import comment_payload, make_comment, make_reader

pytestmark = pytest.mark.django_db



@pytest.fixture
def reader():
    """A reader with a second verified address and one never confirmed."""
    user = make_reader("first@example.com", "Rowdy Reader")
    EmailAddress.objects.create(user=user, email="second@example.org", verified=True)
    EmailAddress.objects.create(user=user, email="typed@example.net", verified=False)
    return user


_visitors = itertools.count(1)


def post_anonymously(article, email: str, text: str) -> str:
    """Post as a visitor who is not signed in (each from their own network address, under
    the rate limit); the new comment's status."""
    response = Client().post(
        f"/comments/post/{article.pk}/", comment_payload(name="Someone", email=email, text=text),
        REMOTE_ADDR=f"10.28.0.{next(_visitors) % 250 + 1}",
    )
    assert response.status_code == 303
    return Comment.objects.get(text=text).status


def ban_account(moderator_client, article, reader, **fields) -> None:
    comment = make_comment(article, status="pending", email=reader.email, user=reader)
    response = moderator_client.post(
        f"/desk/comments/{comment.pk}/ban/", {"target": "account", **fields}
    )
    assert response.status_code == 303


def confirm_new_address(reader, address: str) -> None:
    """The reader adds ADDRESS on their account's email page and follows the emailed link."""
    browser = Client()
    browser.force_login(reader)
    added = browser.post("/accounts/email/", {"email": address, "action_add": ""})
    assert added.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body)
    browser.get(link.group(1))
    assert EmailAddress.objects.get(email=address).verified


def test_an_account_ban_reaches_its_verified_addresses_and_lifts_with_them(
    moderator_client, article, reader
):
    ban_account(moderator_client, article, reader)

    assert post_anonymously(article, "second@example.org", "From my other address.") == (
        "rejected"
    )
    assert post_anonymously(article, "Second+news@Example.org", "Another spelling.") == (
        "rejected"
    )
    # Anyone can type an address at sign-up: one the account never confirmed is not its own.
    assert post_anonymously(article, "typed@example.net", "Whoever typed it.") == "pending"

    confirm_new_address(reader, "third@example.com")
    assert post_anonymously(article, "third@example.com", "From a brand-new address.") == (
        "rejected"
    )

    listing = moderator_client.get("/desk/bans/")
    assert listing.content.count(b"Lift ban") == 1
    assert b"account: first" in listing.content
    account_ban = Ban.objects.get(user=reader)
    lifted = moderator_client.post(f"/desk/bans/{account_ban.pk}/lift/")
    assert lifted.status_code == 303
    assert not Ban.objects.in_force().exists()

    for n, address in enumerate(["first@example.com", "second@example.org",
                                 "third@example.com"]):
        assert post_anonymously(article, address, f"Back after the ban ({n}).") == "pending"


def test_a_suspension_reaches_the_addresses_and_ends_for_all_of_them(
    moderator_client, article, reader, clock
):
    ban_account(moderator_client, article, reader, days="1")
    confirm_new_address(reader, "third@example.com")

    assert post_anonymously(article, "second@example.org", "Suspended, second.") == "rejected"
    assert post_anonymously(article, "third@example.com", "Suspended, third.") == "rejected"
    assert moderator_client.get("/desk/bans/").content.count(b"Lift ban") == 1

    clock(timedelta(days=1, minutes=1))
    assert post_anonymously(article, "second@example.org", "Suspension over.") == "pending"
    assert post_anonymously(article, "third@example.com", "Over for the third.") == "pending"


def test_an_address_confirmed_after_a_lifted_ban_is_not_banned(
    moderator_client, article, reader
):
    ban_account(moderator_client, article, reader)
    moderator_client.post(f"/desk/bans/{Ban.objects.get(user=reader).pk}/lift/")

    confirm_new_address(reader, "later@example.com")

    assert post_anonymously(article, "later@example.com", "After the lift.") == "pending"
    assert not Ban.objects.filter(email="later@example.com").exists()


def test_banning_a_banned_account_again_reaches_an_address_verified_since(
    moderator_client, article, reader
):
    ban_account(moderator_client, article, reader, days="1")
    # Verified without the reader's confirmation link (an address staff added, say).
    EmailAddress.objects.create(user=reader, email="added@example.com", verified=True)
    ban_account(moderator_client, article, reader)

    assert post_anonymously(article, "added@example.com", "From the added address.") == (
        "rejected"
    )
    assert Ban.objects.get(user=reader).expires_at is None
    assert set(Ban.objects.filter(account_ban__user=reader).values_list(
        "email", "expires_at")) == {("second@example.org", None), ("added@example.com", None)}


def test_deleting_the_banned_account_erases_its_addresses_but_not_the_ban(
    moderator_client, article, reader
):
    ban_account(moderator_client, article, reader)
    browser = Client()
    browser.force_login(reader)
    assert browser.post("/accounts/delete/", {"confirm": "delete"}).status_code == 303

    stored = set(Ban.objects.values_list("email", flat=True))
    assert stored == {""}
    assert post_anonymously(article, "second@example.org", "After deleting.") == "rejected"
