"""Download my data, delete my account (the address erased from the whole database), and
the retention sweep."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from broadsheet.comments.models import Comment, Report
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation.models import CommenterNote, Decision, RejectionReason
from broadsheet.moderation.pipeline import sweep
from broadsheet.moderation.retention import PURGED_TEXT
from broadsheet.moderation.services import comment_reject
from broadsheet.notifications.models import Notification, NotificationPreference
from tests.conftest import make_comment, make_reader

pytestmark = pytest.mark.django_db

ADDRESS = "amina.private@example.com"


@pytest.fixture
def amina(client):
    user = make_reader(ADDRESS, "Amina K")
    client.force_login(user)
    return user


def test_download_my_data_holds_the_account_comments_with_reasons_and_reports(
    client, article, amina
):
    reason = RejectionReason.objects.get(slug="abusive")
    make_comment(article, user=amina, email=ADDRESS, status="approved", text="Published words.")
    make_comment(article, user=amina, email=ADDRESS, status="rejected", text="Harsh words.",
                 rejection_reason=reason)
    other = make_comment(article, text="Someone else.")
    client.post(f"/comments/{other.pk}/report/", {"reason": "spam", "note": "An advert."})

    response = client.get("/accounts/data/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == ADDRESS
    assert data["account"]["display_name"] == "Amina K"
    assert {(c["text"], c["status"], c["rejection_reason"]) for c in data["comments"]} == {
        ("Published words.", "approved", None), ("Harsh words.", "rejected", reason.label),
    }
    assert data["reports_made"][0]["reason"] == "spam"
    assert data["notification_settings"] == {
        "approved": True, "not_published": True, "replies": True
    }


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out, exclude=["contenttypes", "auth.permission"])
    return out.getvalue().lower()


def test_deleting_the_account_erases_its_address_everywhere(
    client, article, amina, moderator
):
    make_comment(article, email=ADDRESS, name="Amina before the account")
    own = make_comment(article, user=amina, email=ADDRESS, status="pending",
                       text="Please reach me.")
    comment_reject(comment=own, actor=moderator, reason=RejectionReason.objects.get(slug="spam"),
                   note=f"Same person as {ADDRESS.upper()} from last week")
    # What other apps keep of the address: an email sent, a note on the address written
    # before the account existed, choices made through an unsubscribe link.
    Notification.objects.create(
        key="test-email", kind="approved", comment=own, recipient=amina, to_address=ADDRESS,
        subject="Your comment", body_text="-", body_html="-",
        unsubscribe_url="http://testserver/x",
    )
    CommenterNote.objects.create(
        email_key=mailbox_key(ADDRESS), text="Asked twice", created_by=moderator
    )
    NotificationPreference.objects.create(email_key=mailbox_key(ADDRESS), replies=False)
    assert ADDRESS in dump()

    refused = client.post("/accounts/delete/", {"confirm": "no"})
    deleted = client.post("/accounts/delete/", {"confirm": "delete"})

    assert refused.status_code == 400
    assert deleted.status_code == 303
    assert ADDRESS not in dump()
    assert "amina k" not in dump()
    assert Comment.objects.filter(author_name="Former reader").count() == 2
    assert "[erased]" in Decision.objects.get(comment=own).note
    assert client.get("/accounts/").status_code == 302  # signed out


def test_a_site_may_delete_a_deleted_accounts_comments_instead(
    client, article, amina, settings
):
    settings.BROADSHEET_DELETED_ACCOUNT_COMMENTS = "delete"
    lonely = make_comment(article, user=amina, email=ADDRESS, text="Nobody answered.")
    answered = make_comment(article, user=amina, email=ADDRESS, text="Someone answered.")
    make_comment(article, parent=answered, text="The answer.")

    client.post("/accounts/delete/", {"confirm": "delete"})

    assert not Comment.objects.filter(pk=lonely.pk).exists()
    assert Comment.objects.get(pk=answered.pk).text == "This comment was deleted by its author."
    assert ADDRESS not in dump()


def test_the_sweep_forgets_client_hashes_and_rejected_texts_after_the_retention_period(
    article, settings, moderator
):
    settings.BROADSHEET_RETENTION_DAYS = 30
    old = make_comment(article, status="pending", ip_hash="a" * 32, text="Old and harsh.",
                       minutes_ago=60 * 24 * 40)
    comment_reject(comment=old, actor=moderator, reason=RejectionReason.objects.get(slug="spam"))
    Comment.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(days=31))
    recent = make_comment(article, status="rejected", ip_hash="b" * 32, text="Recent and harsh.",
                          minutes_ago=60)
    Report.objects.create(comment=recent, reason="spam", reporter_ip_hash="c" * 32)

    sweep()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_hash, old.text) == ("", PURGED_TEXT)
    assert Decision.objects.get(comment=old).text_before == PURGED_TEXT
    assert (recent.ip_hash, recent.text) == ("b" * 32, "Recent and harsh.")
    assert Report.objects.get().reporter_ip_hash == "c" * 32


def test_with_no_retention_period_nothing_is_forgotten(article, settings):
    settings.BROADSHEET_RETENTION_DAYS = 0
    old = make_comment(article, status="rejected", ip_hash="a" * 32, minutes_ago=60 * 24 * 400)

    sweep()

    old.refresh_from_db()
    assert old.ip_hash == "a" * 32
