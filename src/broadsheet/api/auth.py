"""The two things the API signs: staff tokens and commenters' status tokens.

Both are `django.core.signing` values, so no table is needed; each purpose has its own salt
so a token made for one can never be replayed as the other.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

STAFF_TOKEN_SALT = "broadsheet-api"
STAFF_TOKEN_MAX_AGE = timedelta(days=90)
STATUS_TOKEN_SALT = "broadsheet-api.comment-status"
# Long enough to outlast any moderation backlog; the comment's own page is public anyway.
STATUS_TOKEN_MAX_AGE = timedelta(days=60)


def _password_stamp(user: AbstractBaseUser) -> str:
    # Changing the password (or making it unusable) revokes every token issued before, the
    # same way Django ends a user's sessions; an HMAC so the token does not carry the hash.
    return salted_hmac("broadsheet-api.token-stamp", user.password).hexdigest()[:20]


def staff_token_create(*, user: AbstractBaseUser) -> str:
    return signing.dumps({"uid": user.pk, "pw": _password_stamp(user)}, salt=STAFF_TOKEN_SALT)


def staff_token_user(token: str) -> AbstractBaseUser | None:
    """The active account a token was issued to, or None when it is forged, old or revoked."""
    try:
        payload = signing.loads(
            token, salt=STAFF_TOKEN_SALT, max_age=STAFF_TOKEN_MAX_AGE
        )
        user_id = int(payload["uid"])
        stamp = str(payload["pw"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(stamp, _password_stamp(user)):
        return None
    return user


class StaffToken(HttpBearer):
    """Bearer tokens from `broadsheet api_token <username>`; only staff accounts pass.

    Moderation is reachable only with this header, never with the desk's session cookie, so
    a page on another site cannot make a logged-in moderator's browser act (no CSRF surface).
    """

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        user = staff_token_user(token)
        if user is None:
            return None
        if not getattr(user, "is_staff", False):
            raise AuthorizationError(message="This token's account is not a staff account.")
        return user


def staff_user(request: HttpRequest) -> AbstractBaseUser:
    """The account StaffToken let in, on a request to a route it guards."""
    # ninja sets request.auth to what authenticate returned; HttpRequest's stubs lack it.
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    return user


def status_token_create(*, comment_id: int) -> str:
    return signing.dumps({"cid": comment_id}, salt=STATUS_TOKEN_SALT)


def status_token_matches(token: str, *, comment_id: int) -> bool:
    try:
        payload = signing.loads(
            token, salt=STATUS_TOKEN_SALT, max_age=STATUS_TOKEN_MAX_AGE
        )
        return int(payload["cid"]) == comment_id
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return False
