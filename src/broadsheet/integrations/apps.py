from django.apps import AppConfig
from django.conf import settings


class IntegrationsConfig(AppConfig):
    name = "broadsheet.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from broadsheet.integrations import receivers, webhooks
        from broadsheet.moderation.apps import _is_serving

        receivers.connect()
        for signal in (post_save, post_delete):
            signal.connect(
                webhooks.endpoints_changed, sender="integrations.WebhookEndpoint",
                dispatch_uid="webhook-endpoints-changed",
            )
        # A serving process sends the retries left by a restart, before any new event.
        if settings.BROADSHEET_TASK_RUNNER == "thread" and _is_serving():
            from broadsheet.integrations.tasks import sender

            sender.start()
