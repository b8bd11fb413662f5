"""`broadsheet serve`: the production server (gunicorn, several workers, whitenoise statics)."""

from __future__ import annotations

import argparse
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from broadsheet.core.emails import mail_destination


class Command(BaseCommand):
    help = "Serve the site with gunicorn (collects static files first)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        # One thread a worker (gunicorn's sync worker): pages are CPU work in Python, and
        # threads of one process fight over the GIL. Measured on this 2-core machine, a page
        # rendered per request: 2 workers x 1 thread 394 req/s at 4.9 ms of CPU each, 2 x 4
        # threads 135 req/s at 8.2 ms; posts were the same either way. Sync workers expect a
        # proxy in front that buffers slow clients (see docs/deployment.md).
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 1)))
        # Off by default, as in gunicorn itself: the proxy in front usually keeps the access
        # log, and writing one here cost about 0.09 ms a request (a fifth of a cached page).
        parser.add_argument(
            "--access-log", action=argparse.BooleanOptionalAction,
            default=os.environ.get("WEB_ACCESS_LOG", "").lower() in ("1", "true", "yes", "on"),
            help="Log every request to stdout (also WEB_ACCESS_LOG=1).",
        )

    def handle(
        self, *args, bind: str, workers: int, threads: int, access_log: bool, **options
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Serving Broadsheet on http://{bind} with {workers} workers "
            f"({'PostgreSQL' if settings.DATABASE_URL else 'SQLite'}, "
            f"{'Redis' if settings.REDIS_URL else 'local'} cache)"
        )
        self.stdout.write(mail_destination())
        sys.stdout.flush()
        os.execvp(
            sys.executable,
            [
                sys.executable, "-m", "gunicorn", "broadsheet.wsgi:application",
                "--bind", bind, "--workers", str(workers), "--threads", str(threads),
                "--graceful-timeout", "20",
                *(["--access-logfile", "-"] if access_log else []),
            ],
        )
