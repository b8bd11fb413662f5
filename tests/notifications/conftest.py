import pytest
from django.test import Client

from broadsheet.moderation.models import RejectionReason


@pytest.fixture
def reasons(db) -> dict[str, RejectionReason]:
    return {reason.slug: reason for reason in RejectionReason.objects.all()}


@pytest.fixture
def anonymous_client() -> Client:
    """A mail program or a reader who is not signed in."""
    return Client()


@pytest.fixture
def decide(moderator_client, django_capture_on_commit_callbacks):
    """Post a desk decision and run what it leaves for after the commit, as a commit would."""

    def run(comment, action: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return moderator_client.post(f"/desk/comments/{comment.pk}/{action}/", data or {})

    return run
