from django.contrib import admin

from broadsheet.articles.models import Article, Author, Section, Tag
from broadsheet.articles.services import article_saved


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "moderation_policy"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "status", "published_at", "comments_closed"]
    list_filter = ["status", "section", "comments_closed"]
    search_fields = ["headline", "deck", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["authors", "tags"]
    list_editable = ["comments_closed"]
    actions = ["publish", "close_comments", "open_comments"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "deck", "section", "authors", "tags"]}),
        ("Story", {"fields": ["dateline", "body"]}),
        (
            "Publication",
            {"fields": ["status", "published_at", "print_edition_date", "comments_closed"]},
        ),
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        article_saved(article=obj)

    def _update_each(self, queryset, **changes) -> None:
        # One save per article, so each one's caches and embeddings are refreshed.
        for article in queryset:
            for field, value in changes.items():
                setattr(article, field, value)
            article.save(update_fields=[*changes, "updated_at"])
            article_saved(article=article)

    @admin.action(description="Publish the selected articles")
    def publish(self, request, queryset):
        self._update_each(queryset, status=Article.Status.PUBLISHED)

    @admin.action(description="Close comments on the selected articles")
    def close_comments(self, request, queryset):
        self._update_each(queryset, comments_closed=True)

    @admin.action(description="Open comments on the selected articles")
    def open_comments(self, request, queryset):
        self._update_each(queryset, comments_closed=False)
