"""The migration that allows one open report per reader closes the repeats a reader had
already stacked, keeping the first, so it applies to a live database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import migrate_to, migrate_to_latest

BEFORE = [("comments", "0006_fewer_indexes_on_insert")]
AFTER = [("comments", "0008_one_open_report_per_reader")]


@pytest.mark.django_db(transaction=True)
def test_stacked_reports_are_closed_as_repeats_and_the_count_follows(article):
    from tests.conftest import make_comment

    comment = make_comment(article)
    old = migrate_to(BEFORE)
    try:
        Report = old.get_model("comments", "Report")
        Comment = old.get_model("comments", "Comment")
        for n in range(3):
            Report.objects.create(comment_id=comment.pk, reason="spam", note=f"again {n}",
                                  reporter_ip_hash="abc123")
        Report.objects.create(comment_id=comment.pk, reason="spam", reporter_ip_hash="other")
        Report.objects.create(comment_id=comment.pk, reason="spam", reporter_ip_hash="abc123",
                              resolved_at=timezone.now(), resolution="dismissed")
        Comment.objects.filter(pk=comment.pk).update(open_report_count=4)
    finally:
        new = migrate_to(AFTER)
        migrate_to_latest()

    Report = new.get_model("comments", "Report")
    open_notes = sorted(Report.objects.filter(resolved_at__isnull=True)
                        .values_list("reporter_key", "note"))
    assert open_notes == [("ip:abc123", "again 0"), ("ip:other", "")]
    assert Report.objects.filter(resolution="repeat").count() == 2
    assert new.get_model("comments", "Comment").objects.get(pk=comment.pk).open_report_count == 2
