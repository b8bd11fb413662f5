"""CSRF secrets and masked tokens in Django's format, made from one urandom() call.

Django's own ``get_token`` draws each of its 64 characters with a separate SystemRandom
call; for a cached page served to a reader without a cookie that was about half the cost of
the whole request. The format is Django's: the cookie holds a 32-character secret, the form a
64-character token (a mask, then the secret shifted by the mask), so Django's CSRF middleware
checks these tokens exactly as it checks its own.
"""

from __future__ import annotations

import os

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_CHARS = CSRF_ALLOWED_CHARS
_RADIX = len(_CHARS)
_INDEX = {char: position for position, char in enumerate(_CHARS)}
# Bytes at or above the largest multiple of the radix are dropped, so every character is
# equally likely (a plain modulo would favour the first eight).
_UNBIASED_LIMIT = 256 - 256 % _RADIX
# Random bytes become characters with one bytes.translate() (the dropped ones deleted by it),
# not a Python step per character: a page made without a cookie makes 64 of them.
_BYTE_TO_CHAR = bytes(ord(_CHARS[b % _RADIX]) for b in range(256))
_DROPPED_BYTES = bytes(range(_UNBIASED_LIMIT, 256))


def _random_chars(count: int) -> str:
    chars = b""
    while len(chars) < count:
        chars += os.urandom(count + 8).translate(_BYTE_TO_CHAR, _DROPPED_BYTES)
    return chars[:count].decode("ascii")


def new_secret() -> str:
    """A new cookie value."""
    return _random_chars(CSRF_SECRET_LENGTH)


def is_valid_secret(value: str) -> bool:
    return len(value) == CSRF_SECRET_LENGTH and all(char in _INDEX for char in value)


def masked_token(secret: str) -> str:
    """A form token for SECRET, different on every call (as Django's are, against BREACH)."""
    mask = _random_chars(CSRF_SECRET_LENGTH)
    index = _INDEX
    cipher = [
        _CHARS[(index[char] + index[m]) % _RADIX] for char, m in zip(secret, mask, strict=True)
    ]
    return mask + "".join(cipher)


def get_token(request: HttpRequest) -> str:
    """Django's ``get_token``, with this module's generator; same request.META contract.

    CsrfViewMiddleware reads the reader's cookie into request.META["CSRF_COOKIE"] and sets
    the cookie on the response when CSRF_COOKIE_NEEDS_UPDATE is set, as with Django's own.
    """
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = new_secret()
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked_token(secret)
