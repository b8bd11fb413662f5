from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "broadsheet.embed"
    label = "embed"
    verbose_name = "Embedded comments"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from broadsheet.embed.origins import origins_changed

        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(
                origins_changed, sender="embed.EmbedOrigin", dispatch_uid=f"embed-origin-{name}"
            )
