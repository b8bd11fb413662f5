from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
    verbose_name = "Reader accounts"

    def ready(self) -> None:
        from broadsheet.accounts import receivers  # noqa: F401  (connects allauth's signals)
