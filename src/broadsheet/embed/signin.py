"""Readers' sign-in inside the embedded frame, without third-party cookies for tracking.

The frame lives on this site's origin inside another site's page, so this site's ordinary
session cookie is a third-party cookie there: browsers block it or keep it apart. Instead:

1. The frame opens a popup on this site (`/embed/sign-in/`). The popup is a top-level page,
   so the reader's own session works there: they sign in as on the site, and confirm.
2. The popup makes a one-time code (FrameSignIn, two minutes) and posts it with postMessage
   to the window that opened it, addressed to this site's origin only: the frame.
3. The frame trades the code for a session of its own (a server-side session whose key is in
   a `Partitioned` cookie, CHIPS): the browser keeps that cookie for this host site only,
   so it cannot follow the reader to other sites. Signing out ends that session.

Every write the signed-in frame makes carries a token derived from its session key (the
frame's CSRF token) besides the frame pass and the Origin check.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from broadsheet.embed.models import FrameSignIn

COOKIE = "broadsheet_frame"
COOKIE_PATH = "/embed/frame/"
CODE_SECONDS = 120
SESSION_SECONDS = 14 * 24 * 3600
_CSRF_SALT = "broadsheet.embed.frame-csrf"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _store(session_key: str | None = None) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def issue_code(*, user: AbstractBaseUser, origin: str) -> str:
    """A code the popup hands to the frame; it works once, for this host site, briefly."""
    code = secrets.token_urlsafe(32)
    FrameSignIn.objects.filter(expires_at__lt=timezone.now()).delete()
    FrameSignIn.objects.create(
        code_hash=_hash(code), user_id=user.pk, origin=origin,
        expires_at=timezone.now() + timedelta(seconds=CODE_SECONDS),
    )
    return code


def redeem_code(*, code: str, origin: str) -> AbstractBaseUser | None:
    """The account behind CODE if it is fresh, unused and was issued for ORIGIN; it is spent
    by the one conditional UPDATE that succeeds, so two frames cannot both use it."""
    now = timezone.now()
    found = FrameSignIn.objects.filter(
        code_hash=_hash(code), origin=origin, used_at__isnull=True, expires_at__gt=now
    )
    user_id = found.values_list("user_id", flat=True).first()
    if user_id is None or found.update(used_at=now) != 1:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def start_session(response: HttpResponse, *, user: AbstractBaseUser, origin: str) -> None:
    store = _store()
    store.update({
        "user": user.pk, "origin": origin, "auth_hash": user.get_session_auth_hash(),
    })
    store.set_expiry(SESSION_SECONDS)
    store.create()
    _set_cookie(response, store.session_key or "", SESSION_SECONDS)


def _set_cookie(response: HttpResponse, value: str, max_age: int) -> None:
    # Django's set_cookie has no Partitioned attribute yet, so the header is written whole.
    # Partitioned cookies must be Secure; browsers accept Secure from http://localhost only.
    response["Set-Cookie"] = (
        f"{COOKIE}={value}; Max-Age={max_age}; Path={COOKIE_PATH}; HttpOnly; Secure; "
        "SameSite=None; Partitioned"
    )


def end_session(request: HttpRequest, response: HttpResponse) -> None:
    key = request.COOKIES.get(COOKIE)
    if key:
        _store(key).delete(key)
    _set_cookie(response, "", 0)


def frame_reader(request: HttpRequest, origin: str) -> User | None:
    """The account this frame is signed in as (for the host site ORIGIN), or None. A changed
    password ends the frame's session as it ends the site's."""
    key = request.COOKIES.get(COOKIE)
    if not key:
        return None
    data = _store(key).load()
    if data.get("origin") != origin or "user" not in data:
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None or not constant_time_compare(
        str(data.get("auth_hash", "")), user.get_session_auth_hash()
    ):
        return None
    return user


def frame_csrf_token(request: HttpRequest) -> str:
    """The token every form of a signed-in frame carries: only a page of this frame's session
    can know it (the cookie is HttpOnly and never leaves the partition)."""
    key = request.COOKIES.get(COOKIE, "")
    return salted_hmac(_CSRF_SALT, key).hexdigest() if key else ""


def frame_csrf_ok(request: HttpRequest) -> bool:
    expected = frame_csrf_token(request)
    return bool(expected) and constant_time_compare(request.POST.get("csrf", ""), expected)
