"""Sign-in throttling for the staff sign-in page and the admin's: after several failed
passwords for one account, or from one reader, sign-in pauses for a while.

Failures are counted in the rate-limit store (database or Redis), so they hold across
processes; a successful sign-in clears the account's failures.
"""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

from broadsheet.core.ratelimit import (
    client_ip,
    limit_exceeded,
    limit_reached,
    limit_reset,
)

FAILURES_PER_ACCOUNT = 5
FAILURES_PER_CLIENT = 20
FAILURE_WINDOW_SECONDS = 15 * 60
THROTTLED = "throttled"


def _account(username: str) -> str:
    return username.strip().lower()


class ThrottledSignIn:
    """For an AuthenticationForm: refuse to check a password while the account or the client
    is paused, and count each failure against both."""

    request: HttpRequest | None
    cleaned_data: dict
    retry_after: int = 0

    def _limits(self) -> list[tuple[str, str, int]]:
        account = _account(self.cleaned_data.get("username") or "")
        ip = client_ip(self.request) if self.request is not None else "unknown"
        limits = [("signin-client", ip, FAILURES_PER_CLIENT)]
        if account:
            limits.append(("signin-account", account, FAILURES_PER_ACCOUNT))
        return limits

    def clean(self) -> dict:
        limits = self._limits()
        paused = [limit_reached(scope, key, limit, FAILURE_WINDOW_SECONDS)
                  for scope, key, limit in limits]
        if any(paused):
            self.retry_after = max(v.retry_after for v in paused)
            minutes = max(1, math.ceil(self.retry_after / 60))
            raise forms.ValidationError(
                "Too many failed sign-ins for this account or from your network, so sign-in "
                f"is paused. Try again in {minutes} minute{'s' if minutes != 1 else ''}; if "
                "you have forgotten your password, reset it by email.",
                code=THROTTLED,
            )
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            for scope, key, limit in limits:
                limit_exceeded(scope, key, limit, FAILURE_WINDOW_SECONDS)
            raise
        account = _account(self.cleaned_data.get("username") or "")
        limit_reset("signin-account", account, FAILURE_WINDOW_SECONDS)
        return cleaned


class ThrottledAuthenticationForm(ThrottledSignIn, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledSignIn, AdminAuthenticationForm):
    pass


def _answered(response: HttpResponse) -> HttpResponse:
    """429 with Retry-After when the sign-in form was refused for being paused."""
    form = (getattr(response, "context_data", None) or {}).get("form")
    if isinstance(form, forms.Form) and isinstance(form, ThrottledSignIn) and form.has_error(
        NON_FIELD_ERRORS, THROTTLED
    ):
        response.status_code = 429
        response["Retry-After"] = str(max(1, form.retry_after))
    return response


class ThrottledLoginView(LoginView):
    """One sign-in page for staff (username) and readers (email address); it links to
    allauth's other ways in: sign-up, a code by email, password reset, the newsroom's login."""

    authentication_form = ThrottledAuthenticationForm

    def get_default_redirect_url(self) -> str:
        if getattr(self.request.user, "is_staff", False):
            return resolve_url(settings.LOGIN_REDIRECT_URL)
        return resolve_url(settings.BROADSHEET_READER_HOME_URL)

    def get_context_data(self, **kwargs: object) -> dict:
        context = super().get_context_data(**kwargs)
        if settings.BROADSHEET_OIDC_ISSUER:
            context["oidc_name"] = settings.BROADSHEET_OIDC_NAME
            context["oidc_login_url"] = reverse(
                "openid_connect_login", kwargs={"provider_id": settings.OIDC_PROVIDER_ID}
            )
        return context

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        return _answered(super().form_invalid(form))


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in page, with the same throttle."""
    return _answered(admin.site.login(request))

