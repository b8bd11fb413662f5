"""How allauth fits Broadsheet: staff land on the desk, readers on their account page, and
accounts that arrive by OpenID Connect get their subscriber flag and desk access from claims."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

from broadsheet.core.models import SiteSettings
from broadsheet.core.ratelimit import client_ip


def landing_url(request: HttpRequest) -> str:
    """Where a sign-in without a `next` lands: the desk for staff, the account page otherwise."""
    if getattr(request.user, "is_staff", False):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    return resolve_url(settings.BROADSHEET_READER_HOME_URL)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Emails name the paper, not the host name allauth would find without django.contrib.sites.
        site = SiteSettings.load()
        super().send_mail(
            template_prefix, email,
            {"site_name": site.site_name, "site_url": settings.SITE_URL,
             "code_minutes": max(1, settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT // 60), **context},
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return landing_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return resolve_url(settings.BROADSHEET_READER_HOME_URL)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's per-address limits see readers as Broadsheet's own limits do: behind
        # BROADSHEET_TRUSTED_PROXIES, the reader's address, not the proxy's for everyone.
        return client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: Any) -> bool:
        # The newsroom's login vouches for the address; a clash with an existing account
        # still goes to allauth's sign-up form rather than taking that account over.
        return True
