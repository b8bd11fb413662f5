"""The reader's sign-up and sign-in forms (allauth's, with a display name and the throttle)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from broadsheet.accounts import services


class DisplayNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_length=60,
            label="Display name",
            help_text="Shown with your comments. You can change it later on your account page.",
            error_messages={"required": "Enter the name to show with your comments."},
            **kwargs,
        )


class SignupDetailsForm(forms.Form):
    """allauth's ACCOUNT_SIGNUP_FORM_CLASS: the fields added to its sign-up form."""

    display_name = DisplayNameField()

    def clean_display_name(self) -> str:
        return services.display_name_check(self.cleaned_data["display_name"])

    def signup(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        services.reader_display_name_set(
            user=user, display_name=self.cleaned_data["display_name"]
        )


class DisplayNameForm(forms.Form):
    display_name = DisplayNameField()

    def __init__(self, *args: Any, user: AbstractBaseUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_display_name(self) -> str:
        return services.display_name_check(
            self.cleaned_data["display_name"], user_id=self.user.pk
        )

