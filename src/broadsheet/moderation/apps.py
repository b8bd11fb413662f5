from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    label = "moderation"
