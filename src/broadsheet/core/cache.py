"""A Redis cache that fails open: with Redis down the site serves and stores comments.

Every use of the cache here is an optimisation or a soft limit, so a lost cache must degrade
to "no cache" — slower pages, no rate limit for a moment — never to an error page.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisError = OSError


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


class FailOpenRedisCache(RedisCache):
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
