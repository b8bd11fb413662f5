"""Rate limits count the last minute, not the calendar minute, in a store every process
shares: Redis when it is the cache, the database otherwise (never the per-process memory)."""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from django.core.cache import caches
from django.test import override_settings

from broadsheet.core import ratelimit
from broadsheet.core.models import RateCounter
from tests.conftest import DEAD_REDIS

# Database 12 of the machine's Redis is this file's alone.
REDIS_CACHE = {
    "default": {
        "BACKEND": "broadsheet.core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/12",
    }
}


@pytest.fixture(params=["local-memory", pytest.param("redis", marks=pytest.mark.redis)])
def clock(request, monkeypatch, db):
    """A frozen clock at the start of a minute, over each cache backend the site can run on
    (Redis counts in one round trip of its own; with the memory cache the database counts)."""
    now = {"t": 1_000_000 * 60.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    redis = request.param == "redis"
    with override_settings(CACHES=REDIS_CACHE) if redis else contextlib.nullcontext():
        assert hasattr(caches["default"], "count_hit") == redis
        caches["default"].clear()
        yield now
        caches["default"].clear()


def hits(n: int, key: str = "reader@example.com") -> list[bool]:
    return [bool(ratelimit.limit_exceeded("test", key, 5)) for _ in range(n)]


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


def test_the_count_is_kept_outside_the_memory_cache(clock, request):
    hits(3)
    hashed = hashlib.sha256(b"reader@example.com").hexdigest()[:24]
    if "redis" in request.node.callspec.id:
        assert caches["default"].get(f"rl:test:{hashed}:{int(clock['t'] // 60)}") == 3
    else:
        assert RateCounter.objects.get(key=f"test:{hashed}").count == 3


def test_clearing_the_memory_cache_does_not_reset_the_limit(db):
    assert not hasattr(caches["default"], "count_hit")
    assert hits(5) == [False] * 5
    caches["default"].clear()
    assert hits(1) == [True]


@pytest.mark.parametrize("hits_before", [2, 5, 9])
def test_retry_after_is_when_the_next_hit_passes(clock, hits_before):
    clock["t"] += 20
    verdicts = [ratelimit.limit_exceeded("test", "early", 5) for _ in range(hits_before)]
    hits(hits_before, key="late")
    wait = verdicts[-1].retry_after
    if hits_before < 5:
        assert wait == 0
        return
    clock["t"] += wait - 1
    assert hits(1, key="late") == [True]  # a second too early
    clock["t"] += 1
    assert hits(1, key="early") == [False]


def test_keys_and_scopes_are_counted_apart(clock):
    assert hits(5) == [False] * 5
    assert not ratelimit.limit_exceeded("test", "someone-else@example.com", 5)
    assert not ratelimit.limit_exceeded("other-scope", "reader@example.com", 5)


def test_with_redis_down_nothing_is_refused_and_nothing_fails(monkeypatch):
    with override_settings(CACHES=DEAD_REDIS):
        assert [
            bool(ratelimit.limit_exceeded("test", "reader@example.com", 1)) for _ in range(3)
        ] == [False, False, False]
