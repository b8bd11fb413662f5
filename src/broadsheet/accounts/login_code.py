"""The sign-in code's form, in a module of its own: allauth's forms module imports
ACCOUNT_SIGNUP_FORM_CLASS from accounts.forms as it loads, so that module cannot import it."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import ConfirmLoginCodeForm
from allauth.core import context


class LinkedLoginCodeForm(ConfirmLoginCodeForm):
    """allauth's code form, filled in from the link in the sign-in email (`?code=`). Opening
    the link only fills the box: signing in takes the reader's press of the button (a POST),
    so a mail scanner that opens every link signs no one in, and allauth's pending sign-in
    lives in the session of the browser that asked, so the link works in no other."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = context.request
        if not self.is_bound and request is not None and request.method == "GET":
            code = request.GET.get("code", "")[:32].strip()
            if code:
                self.initial["code"] = code

