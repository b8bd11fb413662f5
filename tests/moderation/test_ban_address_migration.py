"""The migration that extends account bans to their verified addresses applies to bans made
before it: an account banned then is banned under its other verified address after it."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from tests.conftest import migrate_to, migrate_to_latest

BEFORE = [("moderation", "0009_decision_author_actions")]
AFTER = [("moderation", "0011_account_bans_reach_verified_addresses")]


@pytest.mark.django_db(transaction=True)
def test_an_earlier_account_ban_reaches_the_accounts_other_verified_address(moderator):
    from tests.conftest import make_reader

    reader = make_reader("first@example.com")
    EmailAddress.objects.create(user=reader, email="Second@Example.org", verified=True)
    EmailAddress.objects.create(user=reader, email="typed@example.net", verified=False)
    old = migrate_to(BEFORE)
    try:
        old.get_model("moderation", "Ban").objects.create(
            user_id=reader.pk, email="first@example.com", email_key="first@example.com",
            created_by_id=moderator.pk,
        )
    finally:
        new = migrate_to(AFTER)
        migrate_to_latest()

    Ban = new.get_model("moderation", "Ban")
    account_ban = Ban.objects.get(user_id=reader.pk)
    rows = Ban.objects.filter(account_ban=account_ban)
    assert list(rows.values_list("email", "email_key")) == [
        ("second@example.org", "second@example.org")
    ]
