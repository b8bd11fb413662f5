from __future__ import annotations

from functools import lru_cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect

# What django-csp may find on a response (its decorators) that makes the policy per response.
_PER_RESPONSE = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, send the browser to a page it loads with GET (so reload does not repost)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


@lru_cache(maxsize=1)
def _site_policies() -> tuple[str, str]:
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _forget_process_caches(*, setting: str, **_kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SIGNING_BACKEND"):
        _cookie_signer.cache_clear()


@lru_cache(maxsize=4)
def _cookie_signer(salt: str) -> signing.Signer:
    signer = signing.get_cookie_signer(salt=salt)
    # Its fallback keys come as a one-pass iterator; this signer is kept and used again.
    signer.fallback_keys = list(signer.fallback_keys)
    return signer


class SignedCookieStorage(CookieStorage):
    """Django's messages in a signed cookie, with the signer made once per process.

    Every request that passes MessageMiddleware makes a storage, and CookieStorage builds a
    new signer for each (importing the backend by name, hashing the key).
    """

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # CookieStorage.__init__ only adds the signer, which this replaces (django-stubs do
        # not declare key_salt).
        super(CookieStorage, self).__init__(request, *args, **kwargs)
        self.signer = _cookie_signer(self.key_salt)  # type: ignore[attr-defined]


class CSPHeaderMiddleware(CSPMiddleware):
    """django-csp's middleware, building the site's policy once per process.

    Unless a view used a nonce or one of django-csp's decorators, the policy comes from the
    settings alone, yet django-csp rebuilds it (two dataclass copies, two builds) for every
    response: a measurable share of a comment POST's time. Those other cases go to it.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        policies = zip(
            (HEADER, HEADER_REPORT_ONLY), _site_policies(), ("_csp_exempt", "_csp_exempt_ro"),
            ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"), strict=True,
        )
        for header, value, exempt, setting in policies:
            if not value or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if not prefixes or not request.path_info.startswith(tuple(prefixes)):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
