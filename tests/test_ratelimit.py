"""Rate limits count the last minute, not the calendar minute."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from broadsheet.core import ratelimit


@pytest.fixture
def clock(monkeypatch):
    now = {"t": 1_000_000 * 60.0}  # the start of a minute
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    cache.clear()
    return now


def hits(n: int) -> list[bool]:
    return [ratelimit.limit_exceeded("test", "reader@example.com", 5) for _ in range(n)]


def test_the_hit_after_the_limit_is_refused(clock):
    assert hits(6) == [False] * 5 + [True]


def test_a_burst_just_before_and_just_after_a_minute_starts_is_one_burst(clock):
    clock["t"] += 59.0
    assert hits(5) == [False] * 5
    clock["t"] += 2.0  # a new calendar minute, but only two seconds later
    assert hits(1) == [True]


def test_hits_from_the_previous_minute_fade_as_it_slides_out(clock):
    assert hits(5) == [False] * 5
    clock["t"] += 60 + 30  # half of the previous minute still counts: 2.5 hits
    assert hits(2) == [False, False]
    assert hits(1) == [True]
    clock["t"] += 120  # two minutes after the last hit nothing is left
    assert hits(5) == [False] * 5


def test_keys_and_scopes_are_counted_apart(clock):
    assert hits(5) == [False] * 5
    assert not ratelimit.limit_exceeded("test", "someone-else@example.com", 5)
    assert not ratelimit.limit_exceeded("other-scope", "reader@example.com", 5)
