"""`broadsheet api_token <username>` issues staff tokens, and only to staff."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db


def issue(username: str) -> str:
    out = StringIO()
    call_command("api_token", username, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_prints_a_token_that_opens_the_moderation_api(client, moderator):
    token = issue("moderator")

    response = get_json(client, "/moderation/queues/pending", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200


def test_it_refuses_to_issue_a_token_to_a_reader(reader):
    with pytest.raises(CommandError, match="not an active staff account"):
        issue("reader")


def test_it_says_when_the_account_does_not_exist(db):
    with pytest.raises(CommandError, match="no account"):
        issue("nobody")
