"""`broadsheet moderation report` and `broadsheet moderation sweep`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from broadsheet.moderation import services
from broadsheet.moderation.models import RejectionReason
from tests.conftest import make_comment

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderation", *args, stdout=out)
    return out.getvalue()


def test_the_report_says_so_when_no_human_has_decided_a_scanned_comment(db):
    assert "nothing to compare" in run("report")


def test_the_report_counts_agreement_per_reason(article, moderator):
    flagged = [{"code": "abusive", "message": "", "score": 0.9, "spans": [], "scanner": "abuse"}]
    agreed = make_comment(article, status="pending", scan_verdict="hold", reasons=flagged)
    disagreed = make_comment(article, status="pending", scan_verdict="hold", reasons=flagged)
    passed = make_comment(article, status="pending", scan_verdict="approve")
    abusive = RejectionReason.objects.get(slug="abusive")
    services.comment_reject(comment=agreed, actor=moderator, reason=abusive)
    services.comment_approve(comment=disagreed, actor=moderator)
    services.comment_approve(comment=passed, actor=moderator)
    report = run("report")
    abusive_row = next(line for line in report.splitlines() if line.startswith("abusive"))
    assert abusive_row.split() == ["abusive", "2", "1", "50%"]
    all_row = next(line for line in report.splitlines() if line.startswith("all"))
    assert all_row.split() == ["all", "3", "2", "67%"]


def test_the_sweep_command_scans_what_was_lost(article, settings, monkeypatch):
    from broadsheet.moderation.pipeline import context as pipeline_context
    from tests.moderation.conftest import StandIn

    settings.BROADSHEET_SCAN_SWEEP_AFTER_SECONDS = 0
    monkeypatch.setattr(pipeline_context, "_wordlist_scanner", lambda: StandIn("wordlist", {}))
    monkeypatch.setattr(pipeline_context, "_model_scanners", lambda: ())
    lost = make_comment(article, status="pending")
    output = run("sweep")
    assert "1 comments need a scan" in output and "Scanned 1 comments." in output
    lost.refresh_from_db()
    assert lost.scan_state == "scanned"
