"""The Celery app for `broadsheet worker`, used when REDIS_URL (or CELERY_BROKER_URL) is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")

app = Celery("broadsheet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    "sweep-unscanned-comments": {"task": "broadsheet.sweep", "schedule": 60.0},
    "send-due-webhooks": {"task": "broadsheet.deliver_due_webhooks", "schedule": 15.0},
    "send-due-emails": {"task": "broadsheet.send_due_notifications", "schedule": 30.0},
}
app.autodiscover_tasks(
    ["broadsheet.moderation", "broadsheet.integrations", "broadsheet.notifications"],
    related_name="celery_tasks",
)
