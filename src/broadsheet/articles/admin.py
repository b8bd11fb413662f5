from django import forms
from django.contrib import admin
from django.utils.html import format_html

from broadsheet.articles.images import body_image_markdown, check_upload, picture_for
from broadsheet.articles.models import Article, Author, Image, Section, Tag
from broadsheet.articles.services import article_saved, image_saved


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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "section", "status", "published_at", "comments_closed"]
    list_filter = ["status", "section", "comments_closed"]
    search_fields = ["headline", "deck", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["authors", "tags"]
    autocomplete_fields = ["lead_image"]
    list_editable = ["comments_closed"]
    actions = ["publish", "close_comments", "open_comments"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "deck", "section", "authors", "tags"]}),
        ("Story", {"fields": ["dateline", "lead_image", "body"]}),
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
