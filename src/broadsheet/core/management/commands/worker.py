"""`broadsheet worker`: a Celery worker (with the periodic sweep) for REDIS_URL set-ups."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker that scans comments; needs REDIS_URL (or CELERY_BROKER_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument(
            "--no-beat", action="store_true", help="Do not run the periodic sweep here."
        )

    def handle(self, *args, concurrency: int, no_beat: bool, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "No broker configured. Set REDIS_URL=redis://host:6379/0 to run workers; "
                "without it, scans run inside the web process and no worker is needed."
            )
        command = [
            sys.executable, "-m", "celery", "-A", "broadsheet.celery", "worker",
            "--loglevel", "INFO", "--concurrency", str(concurrency), "--pool", "prefork",
        ]
        if not no_beat:
            command.append("--beat")
        os.execvp(sys.executable, command)
