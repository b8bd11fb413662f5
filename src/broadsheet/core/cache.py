"""The site's cache backends.

A Redis cache that fails open: with Redis down the site serves and stores comments. Every use
of the cache here is an optimisation or a soft limit, so a lost cache must degrade to "no
cache" — slower pages, no rate limit for a moment — never to an error page.

Without Redis, a per-process memory cache whose one exception is django-allauth's rate-limit
counts, which it keeps where every process of the site sees them.
"""

from __future__ import annotations

import logging

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)



def _fail_open(method_name: str, fallback):
    parent = getattr(RedisCache, method_name)

    def method(self, *args, **kwargs):
        try:
            return parent(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable (%s): %s; carrying on without it", method_name, error)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    method.__name__ = method_name
    return method


class ReusedRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call; redis-py's constructor fills a
    table of several hundred response callbacks each time, which cost more CPU than the
    call's round trip (about a third of a comment post's CPU with REDIS_URL set). A client is
    safe to share between threads: it takes a connection from its pool per command.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class FailOpenRedisCache(RedisCache):
    # Django's RedisCache builds its client on first use (a cached property the stubs omit).
    _cache: RedisCacheClient

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient

    get = _fail_open("get", lambda key, default=None, version=None: default)
    get_many = _fail_open("get_many", {})
    set = _fail_open("set", None)
    set_many = _fail_open("set_many", [])
    add = _fail_open("add", True)
    delete = _fail_open("delete", False)
    delete_many = _fail_open("delete_many", None)
    touch = _fail_open("touch", False)
    has_key = _fail_open("has_key", False)
    clear = _fail_open("clear", None)
    # incr on a missing key raises ValueError, which callers handle; a lost Redis counts as 1.
    incr = _fail_open("incr", 1)

    def count_hit(self, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
        """Add one to the counter KEY (kept TIMEOUT seconds) and read the counter
        PREVIOUS_KEY, in one round trip: a rate limit's whole exchange with Redis. Django's
        add, incr (which asks whether the key exists first) and get took four.
        With Redis gone this counts as a first hit, as ``add`` and ``incr`` do above."""
        key = self.make_and_validate_key(key)
        previous_key = self.make_and_validate_key(previous_key)
        try:
            pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, timeout)
            pipe.get(previous_key)
            count, _, previous = pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable (count_hit): %s; carrying on without it", error)
            return 1, 0
        # Counters are stored as plain integers, as Django's serializer stores ints.
        return int(count), int(previous or 0)


# django-allauth counts sign-in codes, password resets, sign-ups and confirmation emails in
# Django's default cache under keys starting with this, and has no setting for another cache.
ALLAUTH_RATE_LIMIT_PREFIX = "allauth:rl:"
# The cache alias (settings.CACHES) that holds them when the default cache is per process.
SHARED_RATE_LIMITS_ALIAS = "allauth-rate-limits"


class LocalCacheSharingRateLimits(LocMemCache):
    """Django's local-memory cache, except for allauth's rate-limit keys, which go to the
    SHARED_RATE_LIMITS_ALIAS cache (a folder under BROADSHEET_DATA_DIR in the embedded
    setup). In memory they would be one count per server process, so a limit of five
    password resets would allow five per worker; pages stay in memory, as fast as before.

    allauth reads, writes and deletes its counts with get, set and delete only."""

    def _shared(self, key: str):
        if isinstance(key, str) and key.startswith(ALLAUTH_RATE_LIMIT_PREFIX):
            return caches[SHARED_RATE_LIMITS_ALIAS]
        return None

    def get(self, key, default=None, version=None):
        shared = self._shared(key)
        if shared is not None:
            return shared.get(key, default, version)
        return super().get(key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        shared = self._shared(key)
        if shared is not None:
            return shared.set(key, value, timeout, version)
        return super().set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        shared = self._shared(key)
        if shared is not None:
            return shared.add(key, value, timeout, version)
        return super().add(key, value, timeout, version)

    def delete(self, key, version=None):
        shared = self._shared(key)
        if shared is not None:
            return shared.delete(key, version)
        return super().delete(key, version)

    def clear(self) -> None:
        super().clear()
        caches[SHARED_RATE_LIMITS_ALIAS].clear()
