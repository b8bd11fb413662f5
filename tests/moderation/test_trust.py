"""Trust rules over HTTP: a commenter's record holds or publishes their comments, per site
and per section, and the history keeps both the scan's verdict and the rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings
from broadsheet.moderation.models import Decision
from broadsheet.moderation.pipeline import context as pipeline_context
from tests.conftest import comment_payload, make_comment, make_reader
from tests.moderation.conftest import StandIn, set_policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def scanners(monkeypatch, settings):
    settings.BROADSHEET_SCANNING = True
    monkeypatch.setattr(pipeline_context, "_wordlist_scanner", lambda: StandIn("wordlist", {}))
    monkeypatch.setattr(
        pipeline_context,
        "_model_scanners",
        lambda: (StandIn("abuse", {"silly": 0.6, "idiot": 0.97}),)
    )


def trust(policy: str, **rules) -> None:
    set_policy(policy)
    site = SiteSettings.load()
    for name, value in rules.items():
        setattr(site, f"trust_{name}", value)
    site.save()


def post(article, text, django_capture_on_commit_callbacks, *, user=None, **fields) -> Comment:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"/comments/post/{article.pk}/",
                                comment_payload(text=text, **fields))
    assert response.status_code == 303
    return Comment.objects.get(text=text)


def record(article, user, approved: int, *, rejected_days_ago: float | None = None) -> None:
    """An account's past: a rejection that long ago (if any), then APPROVED approvals."""
    now = timezone.now()

    def decided(status: str, days_ago: float) -> None:
        comment = make_comment(article, status=status, user=user)
        Comment.objects.filter(pk=comment.pk).update(
            decided_at=now - timedelta(days=days_ago)
        )

    if rejected_days_ago is not None:
        decided("rejected", rejected_days_ago)
    for n in range(approved):
        decided("approved", (rejected_days_ago or 50) / 2 - n / 1000)


def test_a_commenters_first_comments_wait_for_a_moderator_however_clean(
    article, django_capture_on_commit_callbacks
):
    trust("auto", hold_first=2)

    first = post(article, "A first clean comment.", django_capture_on_commit_callbacks)
    second = post(article, "A second clean comment.", django_capture_on_commit_callbacks)
    third = post(article, "A third clean comment.", django_capture_on_commit_callbacks)
    rejected = post(article, "You idiot, a fourth.", django_capture_on_commit_callbacks,
                    email="new.commenter@example.com")

    assert [c.status for c in (first, second, third)] == ["pending", "pending", "approved"]
    hold = Decision.objects.get(comment=first)
    assert hold.action == Decision.Action.HOLD
    assert hold.scanner_verdict == "approve"
    assert hold.trust_rule == "held: one of the commenter's first 2 comments (comment 1)"
    assert Decision.objects.get(comment=third).trust_rule == ""
    # A clear violation from a new commenter is still rejected at once.
    assert rejected.status == "rejected"


def test_a_trusted_account_is_published_at_once_where_the_scan_would_hold(
    article, reader, django_user_model, django_capture_on_commit_callbacks
):
    trust("postmoderate", publish_after=3, clean_days=30)
    record(article, reader, approved=3)
    newcomer = make_reader("new@example.com", "Newcomer N")

    trusted = post(article, "A silly but fair point.", django_capture_on_commit_callbacks,
                   user=reader)
    untrusted = post(article, "Another silly point.", django_capture_on_commit_callbacks,
                     user=newcomer)
    anonymous = post(article, "A silly anonymous point.", django_capture_on_commit_callbacks)

    assert (trusted.status, untrusted.status, anonymous.status) == (
        "approved", "pending", "pending"
    )
    decision = Decision.objects.get(comment=trusted)
    assert decision.action == Decision.Action.APPROVE
    assert decision.scanner_verdict == "hold"
    assert decision.trust_rule.startswith("published: trusted account (3 approved")


def test_trust_never_publishes_in_premoderation(
    article, reader, django_capture_on_commit_callbacks
):
    trust("premoderate", publish_after=1)
    record(article, reader, approved=5)

    comment = post(article, "A silly remark.", django_capture_on_commit_callbacks, user=reader)

    assert comment.status == "pending"


@pytest.mark.parametrize("rejected_days_ago, approved_after, published", [
    (10, 5, False),   # a rejection inside the clean window
    (60, 1, False),   # the count started again at the rejection
    (60, 3, True),    # enough approvals since, and the rejection is old
])
def test_a_rejection_resets_trust(
    article, reader, rejected_days_ago, approved_after, published,
    django_capture_on_commit_callbacks,
):
    trust("auto", publish_after=3, clean_days=30)
    record(article, reader, approved=4)
    Comment.objects.filter(user=reader).update(
        decided_at=timezone.now() - timedelta(days=rejected_days_ago + 10)
    )
    record(article, reader, approved_after, rejected_days_ago=rejected_days_ago)

    comment = post(article, "Rather silly, this.", django_capture_on_commit_callbacks,
                   user=reader)

    assert (comment.status == "approved") is published


def test_a_section_overrides_the_site_rules(
    article, reader, section, django_capture_on_commit_callbacks
):
    trust("auto", publish_after=2, hold_first=0)
    record(article, reader, approved=2)
    section.trust_publish_after = 0
    section.trust_hold_first = 10
    section.save()

    held = post(article, "A silly one, in this section.", django_capture_on_commit_callbacks,
                user=reader)
    clean = post(article, "A clean first word here.", django_capture_on_commit_callbacks,
                 email="first.timer@example.com")

    assert held.status == "pending"
    assert Decision.objects.get(comment=held).trust_rule == ""
    assert clean.status == "pending"
    assert "first 10 comments" in Decision.objects.get(comment=clean).trust_rule


def test_the_desk_history_shows_the_scan_and_the_rule(
    article, reader, moderator_client, django_capture_on_commit_callbacks
):
    trust("postmoderate", publish_after=1)
    record(article, reader, approved=1)
    comment = post(article, "A silly but published one.", django_capture_on_commit_callbacks,
                   user=reader)

    assert comment.status == "approved"
    page = moderator_client.get(f"/desk/comments/{comment.pk}/").content.decode()

    assert "The automatic reader had said: hold" in page
    assert "Trust rule: published: trusted account" in page
