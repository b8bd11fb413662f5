"""Rate limits: sliding-window counters shared by every process of the site.

The counts live in Redis when it is the cache (one round trip) and otherwise in a database
table, never in the per-process memory cache: a count there would be one per worker process,
and pages pushing it out of that cache would reset it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpRequest

from broadsheet.core.models import RateCounter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# One hit in this many also deletes the counters whose periods are over.
_CLEANUP_EVERY = 500


def client_ip(request: HttpRequest) -> str:
    """The reader's address: REMOTE_ADDR, or behind a trusted proxy the right-most address of
    X-Forwarded-For that is not one of BROADSHEET_TRUSTED_PROXIES (anything to its left
    the client could have written itself)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = trusted_proxies()
    if not proxies or not _is_trusted(remote, proxies):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for candidate in reversed([part.strip() for part in forwarded.split(",")]):
        if not candidate:
            continue
        if not _is_trusted(candidate, proxies):
            return candidate if _parse(candidate) is not None else remote
    return remote


@lru_cache(maxsize=8)
def _proxy_networks(setting: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in setting)


def trusted_proxies() -> tuple[Network, ...]:
    return _proxy_networks(tuple(settings.BROADSHEET_TRUSTED_PROXIES))


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, proxies: Sequence) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in proxies)


def hash_ip(ip: str) -> str:
    """A stable pseudonym for an address: moderators can spot one source without seeing it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
    return digest[:16]


@dataclass(frozen=True)
class RateVerdict:
    """Whether a hit went over the limit, and how long until one would pass again."""

    exceeded: bool
    retry_after: int = 0

    def __bool__(self) -> bool:
        return self.exceeded


def _verdict(count: int, previous: int, limit: int, into: float, window: int) -> RateVerdict:
    """The sliding-window estimate: the previous period's count weighs as much as it still
    lies within the last WINDOW seconds. COUNT includes the hit being judged."""
    exceeded = count > limit or count + previous * (1 - into / window) > limit
    return RateVerdict(exceeded, _retry_after(count, previous, limit, into, window))


def _retry_after(count: int, previous: int, limit: int, into: float, window: int) -> int:
    """Seconds until one more hit would pass, if none is sent meanwhile."""
    if count + 1 <= limit:
        if previous == 0 or count + 1 + previous * (1 - into / window) <= limit:
            return 0
        # Later in this period, once enough of the previous one has slid out.
        fraction = 1 - (limit - count - 1) / previous
        return max(1, math.ceil(fraction * window - into))
    # In the next period, this one's count weighing as the previous.
    fraction = max(0.0, 1 - (limit - 1) / count) if limit >= 1 else 1.0
    return max(1, math.ceil(window - into + fraction * window))


def _hashed(scope: str, key: str) -> str:
    return f"{scope}:{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def limit_exceeded(scope: str, key: str, limit: int, window_seconds: int = 60) -> RateVerdict:
    """Count one hit for KEY in SCOPE and say whether the last WINDOW_SECONDS went over LIMIT.

    A count per fixed window lets twice the limit through across a window's edge (a burst
    at :59 and another at :00), so the previous window's count is weighed by how much of it
    still lies within the last WINDOW_SECONDS: the sliding-window estimate.
    """
    return limits_exceeded([(scope, key)], limit, window_seconds)


def limits_exceeded(
    scoped_keys: Sequence[tuple[str, str]], limit: int, window_seconds: int = 60
) -> RateVerdict:
    """Count one hit for each (scope, key) at once; over on any of them is over."""
    now = time.time()
    period, into = divmod(now, window_seconds)
    period = int(period)
    names = sorted({_hashed(scope, key) for scope, key in scoped_keys})
    count_hit = getattr(cache, "count_hit", None)  # Redis: one round trip per key
    if count_hit is not None:
        keep = 2 * window_seconds + 5  # the next period reads this one as its previous
        counts = [count_hit(f"rl:{n}:{period}", f"rl:{n}:{period - 1}", keep) for n in names]
    else:
        counts = _count_in_database(names, period, expires_at=(period + 2) * window_seconds)
        if random.random() < 1 / _CLEANUP_EVERY:
            RateCounter.objects.filter(expires_at__lt=now).delete()
    verdicts = [_verdict(c, p, limit, into, window_seconds) for c, p in counts]
    return max(verdicts, key=lambda v: (v.exceeded, v.retry_after))


def limit_reached(scope: str, key: str, limit: int, window_seconds: int = 60) -> RateVerdict:
    """Whether one more hit for KEY would go over LIMIT, without counting one."""
    now = time.time()
    period, into = divmod(now, window_seconds)
    period = int(period)
    name = _hashed(scope, key)
    if hasattr(cache, "count_hit"):
        found = cache.get_many([f"rl:{name}:{period}", f"rl:{name}:{period - 1}"])
        count = int(found.get(f"rl:{name}:{period}") or 0)
        previous = int(found.get(f"rl:{name}:{period - 1}") or 0)
    else:
        row = RateCounter.objects.filter(key=name).values_list("period", "count", "previous")
        stored = row.first()
        count, previous = 0, 0
        if stored is not None:
            stored_period, stored_count, stored_previous = stored
            if stored_period == period:
                count, previous = stored_count, stored_previous
            elif stored_period == period - 1:
                previous = stored_count
    return _verdict(count + 1, previous, limit, into, window_seconds)


def limit_reset(scope: str, key: str, window_seconds: int = 60) -> None:
    """Forget KEY's hits in SCOPE (a sign-in that succeeded clears the account's failures)."""
    name = _hashed(scope, key)
    if hasattr(cache, "count_hit"):
        period = int(time.time() // window_seconds)
        cache.delete_many([f"rl:{name}:{period}", f"rl:{name}:{period - 1}"])
    else:
        RateCounter.objects.filter(key=name).delete()


@lru_cache(maxsize=8)
def _upsert_sql(vendor: str, count: int) -> str:
    quote = connection.ops.quote_name
    table = quote(RateCounter._meta.db_table)
    key, period, hits, previous, expires = (
        quote(name) for name in ("key", "period", "count", "previous", "expires_at")
    )
    rows = ", ".join(["(%s, %s, 1, 0, %s)"] * count)
    stored_is_current = f"{table}.{period} >= excluded.{period}"
    # Every right-hand side reads the row as it was: a new period starts at 1 and keeps the
    # count of the period just ended as its previous; a hit stamped with an older period
    # (another process's clock a little behind) counts in the stored one.
    return (
        f"INSERT INTO {table} ({key}, {period}, {hits}, {previous}, {expires}) VALUES {rows} "
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{hits} = CASE WHEN {stored_is_current} THEN {table}.{hits} + 1 ELSE 1 END, "
        f"{previous} = CASE WHEN {stored_is_current} THEN {table}.{previous} "
        f"WHEN {table}.{period} = excluded.{period} - 1 THEN {table}.{hits} ELSE 0 END, "
        f"{period} = CASE WHEN {stored_is_current} THEN {table}.{period} "
        f"ELSE excluded.{period} END, "
        f"{expires} = excluded.{expires} RETURNING {key}, {hits}, {previous}"
    )


def _count_in_database(
    names: list[str], period: int, *, expires_at: float
) -> list[tuple[int, int]]:
    """One atomic upsert for all NAMES (in a fixed order, so two writers never deadlock):
    SQLite and PostgreSQL both take it, and both return the counts it left."""
    params: list = []
    for name in names:
        params += [name, period, expires_at]
    # On SQLite a transaction queues for the write lock on the backend's lock file; a lone
    # statement would sleep in the busy handler while other posts write. Inside the caller's
    # transaction the lock is held already.
    db = connections[DEFAULT_DB_ALIAS]  # not the proxy, which looks it up at every read
    own_transaction = db.vendor == "sqlite" and not db.in_atomic_block
    queue = transaction.atomic() if own_transaction else contextlib.nullcontext()
    with queue, db.cursor() as cursor:
        cursor.execute(_upsert_sql(db.vendor, len(names)), params)
        found = {key: (count, previous) for key, count, previous in cursor.fetchall()}
    return [found[name] for name in names]
