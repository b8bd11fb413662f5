"""The signed token in every email's unsubscribe link: it names the recipient (an account, or
a mailbox without one) and what to stop, so the link works without signing in."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing

SALT = "broadsheet.notifications.unsubscribe"
EVERYTHING = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int | None
    email_key: str
    preference: str  # a NotificationPreference field, or EVERYTHING


def unsubscribe_token(*, user_id: int | None, email_key: str, preference: str) -> str:
    payload: dict[str, str | int] = {"p": preference}
    if user_id is not None:
        payload["u"] = user_id
    else:
        payload["e"] = email_key
    return signing.dumps(payload, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """The request TOKEN carries, or None when it was not made by this site."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("p"), str):
        return None
    user_id = payload.get("u")
    email_key = payload.get("e", "")
    if not isinstance(user_id, int | None) or not isinstance(email_key, str):
        return None
    if user_id is None and not email_key:
        return None
    return Unsubscribe(user_id=user_id, email_key=email_key, preference=payload["p"])
