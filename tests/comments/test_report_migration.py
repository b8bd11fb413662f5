"""The migration that allows one open report per reader closes the repeats a reader had
already stacked, keeping the first, so it applies to a live database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("comments", "0006_fewer_indexes_on_insert")]
AFTER = [("comments", "0008_one_open_report_per_reader")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stacked_reports_are_closed_as_repeats_and_the_count_follows(article):
    from tests.conftest import make_comment

    comment = make_comment(article)
    old = _migrate(BEFORE)
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
        new = _migrate(AFTER)
        # Going back to BEFORE also unapplied the migrations of other apps that depend on
        # comments (and comments' later ones); the tests after this one need them all.
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    Report = new.get_model("comments", "Report")
    open_notes = sorted(Report.objects.filter(resolved_at__isnull=True)
                        .values_list("reporter_key", "note"))
    assert open_notes == [("ip:abc123", "again 0"), ("ip:other", "")]
    assert Report.objects.filter(resolution="repeat").count() == 2
    assert new.get_model("comments", "Comment").objects.get(pk=comment.pk).open_report_count == 2
