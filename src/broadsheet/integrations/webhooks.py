"""Webhooks: record an event for every receiver that wants it, sign it, send it, retry it.

An event becomes one WebhookDelivery per subscribed receiver, written after the comment's
transaction has committed. A delivery is claimed with a conditional UPDATE (so two workers
never send it at once), POSTed with a short timeout, and on failure tried again after
30 s, 1 min, 2 min, ... doubling, until it is accepted or a day has passed since the event.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from broadsheet.comments.models import Comment, Report
from broadsheet.integrations.models import (
    EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from broadsheet.integrations.payloads import event_body

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Broadsheet-Signature"
FIRST_RETRY_AFTER = timedelta(seconds=30)
GIVE_UP_AFTER = timedelta(days=1)
# A claimed delivery is someone's for this long; a worker that died mid-send frees it then.
CLAIM_LEASE = timedelta(minutes=2)
DUE_BATCH = 50
_ENDPOINTS_CACHE_KEY = "webhook-endpoints:v1"
ENDPOINTS_CACHE_SECONDS = 60


class WebhookError(ValueError):
    """A receiver that cannot be registered, said in the operator's terms."""


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _clean_events(events: Iterable[str] | None) -> list[str]:
    chosen = [event.strip() for event in events or () if event.strip()]
    unknown = sorted(set(chosen) - set(EVENTS))
    if unknown:
        raise WebhookError(
            f"Unknown event {', '.join(unknown)}; choose from {', '.join(EVENTS)}."
        )
    return [event for event in EVENTS if event in chosen]


def endpoint_add(
    *, url: str, secret: str, events: Iterable[str] | None = None, description: str = ""
) -> WebhookEndpoint:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise WebhookError(f"{url!r} is not an http:// or https:// address.") from None
    if len(secret) < 16:
        raise WebhookError("The secret must be at least 16 characters long.")
    endpoint = WebhookEndpoint.objects.create(
        url=url, secret=secret, events=_clean_events(events), description=description
    )
    endpoints_changed()
    return endpoint


def endpoint_remove(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    endpoints_changed()


def endpoints_changed(**_kwargs) -> None:
    cache.delete(_ENDPOINTS_CACHE_KEY)


def _subscriptions() -> list[tuple[int, list[str]]]:
    """(id, events) of the active receivers, cached: every comment posted asks for them, and
    most sites have none."""
    found = cache.get(_ENDPOINTS_CACHE_KEY)
    if found is None:
        found = [
            (pk, events)
            for pk, events in WebhookEndpoint.objects.filter(active=True).values_list(
                "pk", "events"
            )
        ]
        cache.set(_ENDPOINTS_CACHE_KEY, found, ENDPOINTS_CACHE_SECONDS)
    return found


def event_record(*, event: str, comment: Comment, report: Report | None = None) -> list[int]:
    """One delivery per receiver subscribed to EVENT; returns their ids (none: no query)."""
    endpoint_ids = [pk for pk, events in _subscriptions() if not events or event in events]
    if not endpoint_ids:
        return []
    fresh = (
        Comment.objects.select_related("article__section", "rejection_reason")
        .filter(pk=comment.pk)
        .first()
    )
    if fresh is None:  # deleted since; nothing left to describe
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    body = event_body(event=event, event_id=event_id, at=now, comment=fresh, report=report)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=pk, event_id=event_id, event=event, body=body,
            next_attempt_at=now, created_at=now,
        )
        for pk in endpoint_ids
    )
    return [delivery.pk for delivery in deliveries]


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ATTEMPTS-th failed attempt: 30 s, then doubling."""
    return FIRST_RETRY_AFTER * (2 ** (attempts - 1))


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(
            request, timeout=settings.BROADSHEET_WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"[:300]
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, str(reason)[:300] or error.__class__.__name__


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> bool:
    """Send the delivery if it is due and nobody else is sending it; True if accepted."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return False
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Broadsheet-Webhooks/1",
        "X-Broadsheet-Event": delivery.event,
        "X-Broadsheet-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: sign(endpoint.secret, body),
    }
    started = time.monotonic()
    status_code, error = _post(endpoint.url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)
    accepted = status_code is not None and 200 <= status_code < 300
    if status_code is not None and not accepted and not error:
        error = f"HTTP {status_code}"
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, attempted_at=now, status_code=status_code, error=error,
            duration_ms=duration_ms,
        )
        delivery.attempts += 1
        if accepted:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        else:
            retry_at = now + retry_delay(delivery.attempts)
            if retry_at - delivery.created_at > GIVE_UP_AFTER:
                delivery.state = WebhookDelivery.State.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = retry_at
        delivery.save(update_fields=["attempts", "state", "delivered_at", "next_attempt_at"])
    if not accepted:
        logger.info("Webhook %s to %s failed: %s", delivery.event, endpoint.url, error)
    return accepted


def due_delivery_ids(*, now: datetime | None = None, limit: int = DUE_BATCH) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Send every delivery due at NOW (up to LIMIT); returns how many were accepted."""
    return sum(
        delivery_attempt(delivery_id=pk, now=now) for pk in due_delivery_ids(now=now, limit=limit)
    )


def next_due_at() -> datetime | None:
    return (
        WebhookDelivery.objects.filter(
            Q(state=WebhookDelivery.State.PENDING), next_attempt_at__isnull=False
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
