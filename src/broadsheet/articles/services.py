from __future__ import annotations

from django.db import transaction

from broadsheet.articles.cache import article_changed
from broadsheet.articles.images import forget_picture, make_renditions
from broadsheet.articles.models import Article, Image
from broadsheet.articles.signals import article_published


def article_saved(*, article: Article) -> None:
    """After an editor saves an article: refresh caches and, once committed, announce a
    published one (``article_published``: the moderation app refreshes its embeddings)."""
    article_changed(article.pk)
    if article.status == Article.Status.PUBLISHED:
        article_id = article.pk
        transaction.on_commit(
            lambda: article_published.send(sender=Article, article_id=article_id)
        )



def image_saved(*, image: Image, file_changed: bool) -> None:
    """After an editor saves a picture: make its copies when the file is new, and refresh the
    pages that show it (its alt text or caption may have changed)."""
    if file_changed or not image.renditions:
        image.renditions = make_renditions(image)
        image.save(update_fields=["renditions"])
    forget_picture(image.pk)
    for article_id in Article.objects.filter(lead_image=image).values_list("pk", flat=True):
        article_changed(article_id)


def image_delete(*, image: Image) -> None:
    """Remove a picture, its files and its copies; the articles that showed it lose their lead
    picture and are drawn again. The files go only once the row's removal is committed."""
    article_ids = list(Article.objects.filter(lead_image=image).values_list("pk", flat=True))
    names = [image.file.name, *(copy["name"] for copy in image.renditions)]
    storage = image.file.storage
    forget_picture(image.pk)
    image.delete()
    for article_id in article_ids:
        article_changed(article_id)

    def remove_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
