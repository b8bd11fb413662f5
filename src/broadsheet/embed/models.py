from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def validate_origin(value: str) -> None:
    from broadsheet.embed.origins import OriginError, normalise_origin

    try:
        normalise_origin(value)
    except OriginError as error:
        raise ValidationError(str(error)) from None


class EmbedOrigin(models.Model):
    """A site allowed to embed the comments (besides BROADSHEET_EMBED_ORIGINS)."""

    origin = models.CharField(
        max_length=200, unique=True, validators=[validate_origin],
        help_text="Scheme, host and port if not the default, e.g. https://www.example.org",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["origin"]
        verbose_name = "allowed embedding site"

    def __str__(self) -> str:
        return self.origin

    def save(self, *args, **kwargs) -> None:
        from broadsheet.embed.origins import normalise_origin

        self.origin = normalise_origin(self.origin)
        super().save(*args, **kwargs)


class FrameSignIn(models.Model):
    """A one-time code that hands a reader's sign-in from the popup to the embedded frame.

    Made in the popup (a first-party page, where the reader's session cookie works) and
    given to the frame that opened it by postMessage; the frame trades it once, within
    minutes, for a session of its own (signin.py). Only the code's hash is stored."""

    code_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "embedded sign-in code"

    def __str__(self) -> str:
        return f"sign-in code for {self.origin}"
