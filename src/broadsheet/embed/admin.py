from django.contrib import admin

from broadsheet.embed.models import EmbedOrigin


@admin.register(EmbedOrigin)
class EmbedOriginAdmin(admin.ModelAdmin):
    list_display = ["origin", "note", "created_at"]
    search_fields = ["origin", "note"]
