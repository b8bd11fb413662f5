from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from broadsheet.articles.cache import sections_changed
from broadsheet.articles.images import body_image_markdown, check_upload, picture_for
from broadsheet.articles.models import Article, Author, Image, Section, Tag
from broadsheet.articles.rendering import render_article_body
from broadsheet.articles.services import article_saved, image_delete, image_saved
from broadsheet.core.admin import SiteTimeZoneNoted


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "moderation_policy", "commenting"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        sections_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        sections_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        sections_changed()


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class ImageForm(forms.ModelForm):
    # A plain file field: check_upload reads the picture once, with its own limits and
    # messages, instead of Django's generic "not an image" after decoding it in full.
    file = forms.FileField(
        label="Picture",
        help_text=Image._meta.get_field("file").help_text,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Image
        fields = ["file", "alt_text", "caption", "credit"]
        widgets = {
            "alt_text": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "caption": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and "file" in self.changed_data:
            check_upload(upload)
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["thumbnail", "alt_text", "credit", "size", "uploaded_at"]
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit"]
    readonly_fields = ["preview", "markdown"]

    @admin.display(description="Picture")
    def thumbnail(self, image: Image):
        picture = picture_for(image)
        if picture is None:
            return "—"
        return format_html('<img src="{}" alt="" width="80">', picture.urls[0])

    @admin.display(description="Original size")
    def size(self, image: Image) -> str:
        return f"{image.width} × {image.height}"

    @admin.display(description="Preview")
    def preview(self, image: Image):
        picture = picture_for(image)
        return picture.img_tag(sizes="480px") if picture else "—"

    @admin.display(description="Markdown for the body")
    def markdown(self, image: Image) -> str:
        return body_image_markdown(image) if image.pk else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        image_saved(image=obj, file_changed="file" in form.changed_data)

    def delete_model(self, request, obj):
        image_delete(image=obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            image_delete(image=image)


class PublicationFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("published", "Published"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "published":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
        if self.value() == "scheduled":
            return queryset.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose)
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vTextField article-wide"}),
            "slug": forms.TextInput(attrs={"class": "vTextField article-wide"}),
            "deck": forms.Textarea(attrs={"class": "article-wide", "rows": 3}),
            "body": forms.Textarea(attrs={"class": "article-wide article-body", "rows": 24}),
        }


@admin.register(Article)
class ArticleAdmin(SiteTimeZoneNoted, admin.ModelAdmin):
    form = ArticleForm
    list_display = ["headline", "section", "publication", "published_time", "comments_closed"]
    list_filter = [PublicationFilter, "section", "comments_closed"]
    search_fields = ["headline", "deck", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["authors", "tags"]
    autocomplete_fields = ["lead_image"]
    readonly_fields = ["body_preview"]

    class Media:
        css = {"all": ["broadsheet/admin.css"]}
        js = ["broadsheet/admin-preview.js"]

    @admin.display(description="Status", ordering="status")
    def publication(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft"
        if article.published_at > timezone.now():
            return "Scheduled"
        return "Published"

    @admin.display(description="Publication time", ordering="published_at")
    def published_time(self, article: Article) -> str:
        # The zone's abbreviation too, so nobody takes a UTC list for local time.
        return timezone.localtime(article.published_at).strftime("%d %b %Y, %H:%M %Z")

    @admin.display(description="Preview")
    def body_preview(self, article: Article):
        # Drawn by the server first, so the preview is there without JavaScript too.
        body = render_article_body(article.body, article.dateline) if article.pk else ""
        return format_html(
            '<div class="article-preview body" id="article-preview" data-preview-url="{}" '
            'aria-live="polite">{}</div>',
            reverse("admin:articles_article_preview"),
            body,
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [
            path("preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The body as the article page will show it, for the editor's live preview."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            return HttpResponse("You cannot edit articles.", status=403)
        html = render_article_body(
            request.POST.get("body", ""), request.POST.get("dateline", "")
        )
        response = HttpResponse(html)
        response["Cache-Control"] = "no-store"
        return response
    list_editable = ["comments_closed"]
    actions = ["publish", "close_comments", "open_comments"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "deck", "section", "authors", "tags"]}),
        ("Story", {"fields": ["dateline", "lead_image", "body", "body_preview"]}),
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
