"""`broadsheet serve`: the production server (gunicorn, several workers, whitenoise statics)."""

from __future__ import annotations

import argparse
import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the site with gunicorn (collects static files first)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
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
