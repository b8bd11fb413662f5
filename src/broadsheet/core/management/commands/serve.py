"""`broadsheet serve`: the production server (gunicorn, several workers, whitenoise statics)."""

from __future__ import annotations

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

    def handle(self, *args, bind: str, workers: int, threads: int, **options):
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
                "--access-logfile", "-", "--graceful-timeout", "20",
            ],
        )
