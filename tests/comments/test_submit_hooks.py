"""Submitting a comment asks moderation, which sits above comments, through hooks that
moderation registers at start-up (comments.hooks)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from broadsheet.comments import hooks
from broadsheet.comments.hooks import SubmitHooks, register_submit_hooks, submit_hooks
from broadsheet.comments.models import Comment
from broadsheet.comments.services import comment_submit
from broadsheet.moderation import tasks
from broadsheet.moderation.models import Ban
from broadsheet.moderation.submissions import SUBMIT_HOOKS

pytestmark = pytest.mark.django_db


def _submit(article, email: str = "sana@example.com") -> Comment:
    comment, _created = comment_submit(
        article=article, author_name="Sana", author_email=email, text="The bridge can wait."
    )
    return comment


def test_moderation_registers_the_hooks_at_start_up():
    assert submit_hooks() is SUBMIT_HOOKS


def test_with_no_hooks_registered_submitting_is_a_configuration_error_and_stores_nothing(
    article, monkeypatch
):
    monkeypatch.setattr(hooks, "_registered", None)
    with pytest.raises(ImproperlyConfigured, match="broadsheet.moderation"):
        _submit(article)
    assert not Comment.objects.exists()


def test_a_second_set_of_hooks_is_refused_and_the_first_stays():
    others = SubmitHooks(
        banned_sql=lambda vendor: "FALSE",
        banned_params=lambda now, mailbox, user_id, ip_hash: (),
        comment_submitted=lambda comment, banned: comment,
    )
    with pytest.raises(ImproperlyConfigured, match="registered once"):
        register_submit_hooks(others)
    register_submit_hooks(SUBMIT_HOOKS)  # the same set again changes nothing
    assert submit_hooks() is SUBMIT_HOOKS


def test_the_double_submit_and_ban_checks_stay_one_statement(article):
    with CaptureQueriesContext(connection) as captured:
        comment = _submit(article)
    assert comment.status == Comment.Status.PENDING
    # Besides savepoints, and PostgreSQL's advisory lock on the fingerprint (_hold_fingerprint).
    statements = [
        q["sql"] for q in captured.captured_queries
        if "SAVEPOINT" not in q["sql"] and "pg_advisory_xact_lock" not in q["sql"]
    ]
    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and Ban._meta.db_table in reads[0] and "fingerprint" in reads[0]
    assert len(statements) == 2  # the checks and the INSERT


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The ids moderation queues for a scan, instead of scanning them."""
    ids: list[int] = []
    monkeypatch.setattr(tasks, "enqueue_scan", ids.append)
    return ids


def test_a_new_comment_is_queued_for_its_scan_once_committed(
    article, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = _submit(article)
        assert queued == []  # nothing before the commit
    assert queued == [comment.pk]


def test_a_banned_commenter_is_rejected_at_once_and_nothing_is_queued(
    article, moderator, queued, django_capture_on_commit_callbacks
):
    Ban.objects.create(email="sana@example.com", created_by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        comment = _submit(article)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert comment.scan_state == Comment.ScanState.SKIPPED
    assert queued == []
