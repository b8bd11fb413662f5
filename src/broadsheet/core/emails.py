"""Email addresses compared as the mailbox they deliver to, for bans."""

from __future__ import annotations

# Providers that deliver "j.doe", "jdoe" and "J.Doe" to one mailbox, by the domain they
# answer to; googlemail.com is gmail.com under another name.
_DOTS_IGNORED = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mailbox_key(address: str) -> str:
    """The mailbox ADDRESS reaches: lower case, without a "+tag" (which most providers deliver
    to the untagged address), without the dots a provider ignores. "Offers+1@GoogleMail.com"
    and "o.f.f.e.r.s@gmail.com" give the same key. Not an address to write to."""
    address = address.strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return address
    local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        domain = _DOTS_IGNORED[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def mail_destination() -> str:
    """Where outgoing email goes, in one line for the startup messages."""
    from django.conf import settings

    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return f"Emails are not sent: each is written as a file under {settings.EMAIL_FILE_PATH}/"
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        security = (
            " (TLS)" if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL else ""
        )
        return f"Emails are sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{security}"
    return f"Emails go to {settings.EMAIL_BACKEND}"
