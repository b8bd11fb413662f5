from django.apps import AppConfig


class ReadersConfig(AppConfig):
    name = "broadsheet.readers"
    label = "readers"
    verbose_name = "Readers' account pages"
