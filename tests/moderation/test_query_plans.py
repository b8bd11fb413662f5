"""The scan's hot statements find their rows by primary key, whatever else is indexed.

SQLite has no statistics unless ANALYZE runs, so its planner guesses; with the wrong guess the
scan's claim walked every pending comment through the (status, submitted_at) index (posts 2.5 ->
5.7 ms of CPU on a site with 240,000 comments). PostgreSQL's planner has statistics.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from broadsheet.moderation.pipeline.store import _claim_sql, _lock_sql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only"),
]


def plan_of(sql: str, params: list) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[3] for row in cursor.fetchall()]


@pytest.mark.parametrize("batch", [1, 24, 50, 200])
def test_the_scans_claim_looks_its_comments_up_by_id(batch):
    ids = list(range(1, batch + 1))
    now = str(timezone.now())
    plan = plan_of(
        _claim_sql("sqlite", batch),
        ["scanning", now, *ids, "pending", "unscanned", "failed", "scanning", now],
    )
    assert plan and all("rowid=?" in step for step in plan), plan


@pytest.mark.parametrize("batch", [1, 50])
def test_the_decisions_lock_looks_its_comments_up_by_id(batch):
    ids = list(range(1, batch + 1))
    plan = plan_of(_lock_sql("sqlite", batch), [*ids, "pending", "scanned", str(timezone.now())])
    assert plan and all("rowid=?" in step for step in plan), plan
