"""Fixed-window counters in the cache (Redis when configured, so limits hold across processes)."""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hash_ip(ip: str) -> str:
    """A stable pseudonym for an address: moderators can spot one source without seeing it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def limit_exceeded(scope: str, key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one hit for KEY and say whether it went over LIMIT in the current window."""
    window = int(time.time() // window_seconds)
    hashed = hashlib.sha256(key.encode()).hexdigest()[:24]
    cache_key = f"rl:{scope}:{hashed}:{window}"
    if cache.add(cache_key, 1, window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, window_seconds + 5)
            count = 1
    return count > limit
