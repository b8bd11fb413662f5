"""What an OpenID Connect provider's claims grant: the subscriber flag and desk access."""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from broadsheet.accounts import names, services


def _claims(account: Any) -> dict[str, Any]:
    data = account.extra_data or {}
    # allauth keeps the ID token's claims and the userinfo answer; either may carry them.
    merged: dict[str, Any] = {}
    for part in (data.get("id_token"), data.get("userinfo"), data):
        if isinstance(part, dict):
            merged |= part
    return merged


def claim_grants(claims_seen: dict[str, Any], setting: str) -> bool:
    """SETTING is "claim" (true when the claim is true) or "claim=value" (true when the claim
    equals VALUE, or is a list containing it, as a `groups` claim is)."""
    if not setting:
        return False
    name, _, wanted = setting.partition("=")
    value = claims_seen.get(name.strip())
    if not wanted:
        return value is True or (isinstance(value, str) and value.lower() in ("true", "1", "yes"))
    wanted = wanted.strip()
    if isinstance(value, list):
        return wanted in [str(item) for item in value]
    return str(value) == wanted if value is not None else False


def apply_oidc_claims(*, user: Any, account: Any) -> None:
    seen = _claims(account)
    subscriber = claim_grants(seen, settings.BROADSHEET_OIDC_SUBSCRIBER_CLAIM)
    services.reader_subscriber_set(user=user, subscriber=subscriber)
    staff_setting = settings.BROADSHEET_OIDC_STAFF_CLAIM
    if staff_setting:
        staff = claim_grants(seen, staff_setting)
        desk_group, _ = Group.objects.get_or_create(name=settings.BROADSHEET_DESK_GROUP)
        if staff:
            user.groups.add(desk_group)
        else:
            user.groups.remove(desk_group)
        if user.is_staff != staff and not user.is_superuser:
            user.is_staff = staff
            user.save(update_fields=["is_staff"])
    reader = getattr(user, "reader", None)
    name = seen.get("name") or seen.get("preferred_username") or ""
    if reader is not None and name and reader.display_name == reader.name_key:
        # A placeholder name from sign-up: take the provider's, if it is free and allowed.
        # A refused name keeps the placeholder.
        with contextlib.suppress(ValidationError):
            services.reader_display_name_set(
                user=user, display_name=str(name)[: names.MAX_LENGTH]
            )
