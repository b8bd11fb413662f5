"""Bans and suspensions: who may not comment, and for how long. Every ban is written here;
the submit check (moderation.submissions) reads them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.accounts.selectors import verified_addresses
from broadsheet.core.emails import mailbox_key
from broadsheet.moderation import signals
from broadsheet.moderation.models import Ban
from broadsheet.moderation.services import DecisionError


@transaction.atomic
def commenter_ban(
    *,
    actor: AbstractBaseUser,
    email: str = "",
    user: AbstractBaseUser | None = None,
    ip_hash: str = "",
    days: int | None = None,
    until: datetime | None = None,
    note: str = "",
) -> Ban:
    """Ban by email address (every spelling of its mailbox), by account (and the account's
    own address), or by a client's hashed network address. A ban ends after DAYS or at UNTIL
    (a suspension), or never; a client's ban always ends. Banning what is already banned
    returns that ban, made to reach as far as the longer of the two. The commenter is told,
    by email, once the ban is committed (moderation.signals.commenter_suspended)."""
    email = email.strip().lower()
    if not email and user is None and not ip_hash:
        raise DecisionError("Give the email address, the account or the client to ban.")
    now = timezone.now()
    if until is not None:
        if until <= now:
            raise DecisionError("Choose an end for the suspension that is in the future.")
        expires_at: datetime | None = until
    elif days is not None:
        if days < 1:
            raise DecisionError("A suspension lasts at least one day.")
        expires_at = now + timedelta(days=days)
    else:
        expires_at = None
    if ip_hash and not email and user is None and expires_at is None:
        raise DecisionError("Choose for how many days to ban this network address.")
    if user is not None and not email:
        email = (getattr(user, "email", "") or "").strip().lower()
    if user is not None:
        condition = Q(user=user)
    elif email:
        condition = Q(email_key=mailbox_key(email))
    else:
        condition = Q(ip_hash=ip_hash)
    existing = Ban.objects.in_force().filter(condition, account_ban__isnull=True).first()
    if existing is not None:
        if existing.expires_at is not None and (
            expires_at is None or existing.expires_at < expires_at
        ):
            existing.expires_at = expires_at
            existing.save(update_fields=["expires_at"])
        if existing.user is not None:
            _ban_account_addresses(ban=existing, addresses=verified_addresses(existing.user))
        return existing
    ban = Ban.objects.create(
        email=email,
        user_id=user.pk if user is not None else None,
        ip_hash=ip_hash if not email and user is None else "",
        expires_at=expires_at,
        note=note.strip(),
        created_by_id=actor.pk,
    )
    if user is not None:
        _ban_account_addresses(ban=ban, addresses=verified_addresses(user))
    if (email or user is not None) and signals.commenter_suspended.has_listeners():
        transaction.on_commit(
            lambda: signals.commenter_suspended.send_robust(sender=Ban, ban=ban)
        )
    return ban


def _ban_account_addresses(*, ban: Ban, addresses: Iterable[str]) -> None:
    """Extend an account's BAN to each of ADDRESSES (its verified ones) by a row per mailbox
    the ban does not reach yet, ending when the ban ends. The submit check then needs only
    the address a comment gives, signed in or not, to see that its account is banned."""
    rows = Ban.objects.filter(Q(pk=ban.pk) | Q(account_ban=ban))
    reached = set(rows.values_list("email_key", flat=True))
    rows.exclude(pk=ban.pk).update(expires_at=ban.expires_at, lifted_at=ban.lifted_at)
    for address in addresses:
        key = mailbox_key(address)
        if key and key not in reached:
            reached.add(key)
            Ban.objects.create(
                email=address, account_ban=ban, expires_at=ban.expires_at,
                lifted_at=ban.lifted_at, note=ban.note, created_by=ban.created_by,
            )


@transaction.atomic
def ban_address_confirmed(*, user: AbstractBaseUser, email: str) -> None:
    """An account confirmed EMAIL: a ban or suspension in force on the account reaches it
    too, so a new address is no way around the ban."""
    for ban in Ban.objects.in_force().filter(user_id=user.pk, account_ban__isnull=True):
        _ban_account_addresses(ban=ban, addresses=[email.strip().lower()])


@transaction.atomic
def ban_lift(*, ban: Ban) -> Ban:
    """Lift BAN, with the rows that extend an account's ban to its addresses (lifting one of
    those lifts the account's ban)."""
    if ban.account_ban_id is not None:
        ban = Ban.objects.get(pk=ban.account_ban_id)
    if ban.lifted_at is None:
        ban.lifted_at = timezone.now()
        ban.save(update_fields=["lifted_at"])
    ban.address_bans.filter(lifted_at__isnull=True).update(lifted_at=ban.lifted_at)
    return ban
