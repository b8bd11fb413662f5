"""Helpers for the desk's tests: htmx requests and comments the scanner has read."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.moderation.models import RejectionReason

HTMX = {"HX-Request": "true"}


@pytest.fixture
def reasons(db) -> dict[str, RejectionReason]:
    """The rejection reasons the data migration installs, by slug."""
    return {reason.slug: reason for reason in RejectionReason.objects.all()}


def scanned(**overrides) -> dict:
    """Fields a scan leaves on a comment: an abusive span over the given characters."""
    fields = {
        "scan_state": "scanned",
        "scan_verdict": "hold",
        "risk": 0.93,
        "scores": {"abuse": 0.93, "spam": 0.02},
        "reasons": [
            {"code": "abusive", "message": "Insulting language", "score": 0.93,
             "spans": [[4, 9]], "scanner": "abuse"},
        ],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def public_client():
    """A reader's browser, separate from the moderator's signed-in one."""
    return Client()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what services leave for after the commit (cache bumps), as a real commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run
