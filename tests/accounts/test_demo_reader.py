"""The demo's reader account signs in and sees a comment in each state."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from broadsheet.demo import content

pytestmark = pytest.mark.django_db


def test_the_demo_reader_signs_in_and_finds_a_comment_in_each_state(client):
    call_command("load_demo", stdout=io.StringIO())

    signed_in = client.post("/accounts/login/", {"username": content.READER_EMAIL,
                                                 "password": content.READER_PASSWORD})
    page = client.get("/accounts/comments/")

    assert signed_in.status_code == 302
    assert "Awaiting moderation." in page.text
    assert "Published." in page.text
    assert '<span class="rejection-reason">Off-topic</span>' in page.text
    assert "Ask for a review" in page.text
