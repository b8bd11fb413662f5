"""Writes about reader accounts: each fact has one function here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from broadsheet.accounts import names
from broadsheet.accounts.models import Reader
from broadsheet.accounts.selectors import display_name_taken, protected_names

NAME_TAKEN = "Another reader already uses that name. Choose another one."


def display_name_check(raw: str, *, user_id: int | None = None) -> str:
    """The cleaned name, or ValidationError saying why the reader cannot have it."""
    name = names.clean_display_name(raw)
    names.validate_display_name(name, protected=protected_names())
    if display_name_taken(names.name_key(name), except_user_id=user_id):
        raise ValidationError(NAME_TAKEN)
    return name


@transaction.atomic
def reader_display_name_set(*, user: AbstractBaseUser, display_name: str) -> Reader:
    """Give USER the display name (checked), creating their reader record if need be."""
    name = display_name_check(display_name, user_id=user.pk)
    try:
        with transaction.atomic():
            reader, _created = Reader.objects.update_or_create(
                user_id=user.pk,
                defaults={"display_name": name, "name_key": names.name_key(name)},
            )
    except IntegrityError:  # another reader took it between the check and the write
        raise ValidationError(NAME_TAKEN) from None
    return reader


def reader_subscriber_set(*, user: AbstractBaseUser, subscriber: bool) -> None:
    updated = Reader.objects.filter(user_id=user.pk).update(subscriber=subscriber)
    if not updated:
        base = names.name_key(user.get_username()) or f"reader{user.pk}"
        key = base if not display_name_taken(base) else f"{base}{user.pk}"
        Reader.objects.create(
            user_id=user.pk, display_name=key, name_key=key, subscriber=subscriber
        )
