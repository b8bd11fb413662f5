# Load the Celery app with Django so tasks queued by the web process use the configured broker.
from broadsheet.celery import app as celery_app

__all__ = ["celery_app"]
