import os
import sys

from django.apps import AppConfig
from django.conf import settings


def _is_serving() -> bool:
    if sys.argv and "gunicorn" in sys.argv[0]:  # also `python -m gunicorn`
        return True
    # runserver's autoreloader runs the site in a child process marked RUN_MAIN.
    return "runserver" in sys.argv and (
        os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
    )


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    label = "moderation"

    def ready(self) -> None:
        # A web process with the in-process runner also sweeps for comments whose scan was
        # lost (a crash, a restart), even before anyone posts.
        if settings.BROADSHEET_TASK_RUNNER == "thread" and _is_serving():
            from broadsheet.moderation.tasks import runner

            runner.start()
