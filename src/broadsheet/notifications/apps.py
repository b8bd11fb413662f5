from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from broadsheet.moderation.apps import _is_serving
        from broadsheet.notifications import receivers

        receivers.connect()
        # A serving process sends the emails a restart left unsent, before any new one.
        if settings.BROADSHEET_TASK_RUNNER == "thread" and _is_serving():
            from broadsheet.notifications.tasks import sender

            sender.start()
