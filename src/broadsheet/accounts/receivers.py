"""After a sign-in through the newsroom's OpenID Connect login, apply its claims: subscriber
status and desk access follow the provider on every sign-in, so revoking them there revokes
them here at the reader's next sign-in."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from allauth.socialaccount.signals import social_account_added, social_account_updated
from django.dispatch import receiver
from django.http import HttpRequest

from broadsheet.accounts import claims


@receiver(social_account_updated)
@receiver(social_account_added)
def apply_claims_on_sign_in(request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    claims.apply_oidc_claims(user=sociallogin.user, account=sociallogin.account)


@receiver(user_signed_up)
def apply_claims_on_sign_up(
    request: HttpRequest, user: Any, sociallogin: Any = None, **kwargs: Any
) -> None:
    if sociallogin is not None:
        claims.apply_oidc_claims(user=user, account=sociallogin.account)
