"""A reader's account facts beyond Django's user: the public display name and subscriber flag."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Reader(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader"
    )
    display_name = models.CharField(max_length=60)
    # The name folded for comparison (case, width, accents of lookalikes), unique per site.
    name_key = models.CharField(max_length=60, unique=True)
    subscriber = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(Lower("display_name"), name="reader_display_name")]

    def __str__(self) -> str:
        return self.display_name
