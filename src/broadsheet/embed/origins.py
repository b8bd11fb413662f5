"""Which sites may embed the comments: BROADSHEET_EMBED_ORIGINS plus the admin's list."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

_CACHE_KEY = "embed-origins:v1"
CACHE_SECONDS = 60


class OriginError(ValueError):
    pass


def normalise_origin(value: str) -> str:
    """scheme://host[:port] in lower case, without a default port or path."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OriginError(f"{value[:100]!r} is not an origin like https://www.example.org.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OriginError(f"{value[:100]!r} has a path; give only https://host[:port].")
    try:
        port = parts.port
    except ValueError:
        raise OriginError(f"{value[:100]!r} has a port that is not a number.") from None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origin_of_url(url: str) -> str | None:
    try:
        return normalise_origin(f"{urlsplit(url).scheme}://{urlsplit(url).netloc}")
    except (OriginError, ValueError):
        return None


def allowed_origins() -> frozenset[str]:
    """Cached for a minute (at once in the process that edits the list)."""
    found = cache.get(_CACHE_KEY)
    if found is None:
        from broadsheet.embed.models import EmbedOrigin

        listed = set(EmbedOrigin.objects.values_list("origin", flat=True))
        for value in settings.BROADSHEET_EMBED_ORIGINS:
            try:
                listed.add(normalise_origin(value))
            except OriginError:
                continue  # reported by the system check
        found = frozenset(listed)
        cache.set(_CACHE_KEY, found, CACHE_SECONDS)
    return found


def is_allowed(origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in allowed_origins()
    except OriginError:
        return False


def origins_changed(**_kwargs) -> None:
    cache.delete(_CACHE_KEY)
