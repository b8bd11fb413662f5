"""Rate limits: sliding-window counters in the cache (Redis when configured, so limits hold
across processes)."""

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
    """Count one hit for KEY and say whether the last WINDOW_SECONDS went over LIMIT.

    A count per fixed window lets twice the limit through across a window's edge (a burst
    at :59 and another at :00), so the previous window's count is weighed by how much of it
    still lies within the last WINDOW_SECONDS: the sliding-window estimate.
    """
    now = time.time()
    window, into = divmod(now, window_seconds)
    window = int(window)
    hashed = hashlib.sha256(key.encode()).hexdigest()[:24]
    cache_key = f"rl:{scope}:{hashed}:{window}"
    previous_key = f"rl:{scope}:{hashed}:{window - 1}"
    # Kept for two windows: the next window reads this one as its previous.
    keep = 2 * window_seconds + 5
    count_hit = getattr(cache, "count_hit", None)  # Redis: one round trip for all of it
    if count_hit is not None:
        count, previous = count_hit(cache_key, previous_key, keep)
    else:
        if cache.add(cache_key, 1, keep):
            count = 1
        else:
            try:
                count = cache.incr(cache_key)
            except ValueError:  # expired between add() and incr()
                cache.set(cache_key, 1, keep)
                count = 1
        previous = 0 if count > limit else (cache.get(previous_key) or 0)
    return count > limit or count + previous * (1 - into / window_seconds) > limit
