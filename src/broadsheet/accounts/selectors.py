"""Reads about reader accounts."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from broadsheet.accounts.models import Reader
from broadsheet.core.models import Profile, SiteSettings


@dataclass(frozen=True)
class Commenter:
    """Who a signed-in account comments as."""

    display_name: str
    email: str
    verified: bool
    subscriber: bool


def reader_for(user: AbstractBaseUser) -> Reader | None:
    return Reader.objects.filter(user_id=user.pk).first()


def email_verified(user: AbstractBaseUser) -> bool:
    email = getattr(user, "email", "")
    return bool(email) and EmailAddress.objects.filter(
        user_id=user.pk, email__iexact=email, verified=True
    ).exists()


def verified_addresses(user: AbstractBaseUser) -> list[str]:
    """The account's confirmed email addresses, lower-cased. An unconfirmed one is anyone's:
    whoever signs up may type it."""
    return sorted({
        address.strip().lower()
        for address in EmailAddress.objects.filter(user_id=user.pk, verified=True)
        .values_list("email", flat=True)
        if address.strip()
    })


def commenter_for(user: AbstractBaseUser | AnonymousUser) -> Commenter | None:
    """The identity a signed-in account posts under, or None for an anonymous visitor."""
    if not user.is_authenticated:
        return None
    reader = reader_for(user)
    profile_name = Profile.objects.filter(user_id=user.pk).values_list(
        "display_name", flat=True
    ).first()
    name = (reader.display_name if reader else "") or profile_name or user.get_username()
    return Commenter(
        display_name=name,
        email=getattr(user, "email", ""),
        verified=email_verified(user),
        subscriber=bool(reader and reader.subscriber),
    )


def protected_names() -> list[str]:
    """Names a reader may not take: the paper's and every staff account's."""
    site = SiteSettings.load()
    names = [site.site_name, site.paper_name]
    staff = get_user_model().objects.filter(is_staff=True)
    names += [user.get_username() for user in staff]
    names += list(
        Profile.objects.filter(user__is_staff=True).exclude(display_name="").values_list(
            "display_name", flat=True
        )
    )
    return [name for name in names if name]


def display_name_taken(name_key: str, *, except_user_id: int | None = None) -> bool:
    taken = Reader.objects.filter(name_key=name_key)
    if except_user_id is not None:
        taken = taken.exclude(user_id=except_user_id)
    return taken.exists()
