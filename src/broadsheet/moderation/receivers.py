"""Moderation's answers to other apps' signals."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver
from django.http import HttpRequest

from broadsheet.moderation import bans as moderation_bans


@receiver(email_confirmed, dispatch_uid="ban-confirmed-address")
def ban_reaches_confirmed_address(
    request: HttpRequest | None, email_address: Any, **kwargs: Any
) -> None:
    # A banned or suspended account that confirms another address is banned under it too;
    # asked here, once per confirmation, rather than on every post.
    if email_address.user_id:
        moderation_bans.ban_address_confirmed(user=email_address.user, email=email_address.email)
