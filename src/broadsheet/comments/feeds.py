"""Atom feeds of published comments: one per article, and the site's latest."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment
from broadsheet.core.models import SiteSettings

FEED_LENGTH = 50


def publicly_reachable_comments() -> QuerySet[Comment]:
    """Approved comments a reader can reach on a published article's page: a reply whose
    parent or thread was not approved stays out, as the thread it belongs to is hidden."""
    approved = Comment.Status.APPROVED
    published = Article.objects.published()
    return (
        Comment.objects.filter(status=approved, article__in=published)
        .filter(Q(parent__isnull=True) | Q(parent__status=approved))
        .filter(Q(thread_root__isnull=True) | Q(thread_root__status=approved))
        .select_related("article__section")
        .only(
            "id", "author_name", "text", "submitted_at", "decided_at", "article__headline",
            "article__slug", "article__published_at", "article__section__slug",
        )
        .order_by("-submitted_at", "-id")
    )


class CommentsFeed(Feed):
    """What every comment feed shares: Atom, and how one comment becomes an entry."""

    feed_type = Atom1Feed

    def item_description(self, item: Comment) -> str:
        # Plain text: feed readers escape it, so a comment's markup is never run anywhere.
        return item.text

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Comment) -> datetime:
        return item.submitted_at

    def item_updateddate(self, item: Comment) -> datetime:
        return item.decided_at or item.submitted_at

    def item_author_name(self, item: Comment) -> str:
        return item.author_name


class LatestCommentsFeed(CommentsFeed):
    def title(self) -> str:
        return f"{SiteSettings.load().site_name}: latest comments"

    def link(self) -> str:
        return "/"

    def subtitle(self) -> str:
        return "The latest published reader comments"

    def items(self) -> QuerySet[Comment]:
        return publicly_reachable_comments()[:FEED_LENGTH]

    def item_title(self, item: Comment) -> str:
        return f"{item.author_name} on {item.article.headline}"


class ArticleCommentsFeed(CommentsFeed):
    def get_object(self, request: HttpRequest, article_id: int) -> Article:
        return get_object_or_404(
            Article.objects.published().select_related("section"), pk=article_id
        )

    def title(self, obj: Article) -> str:
        return f"Comments on {obj.headline}"

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url()

    def subtitle(self, obj: Article) -> str:
        return f"Published reader comments on {obj.headline}"

    def items(self, obj: Article) -> QuerySet[Comment]:
        return publicly_reachable_comments().filter(article=obj)[:FEED_LENGTH]

    def item_title(self, item: Comment) -> str:
        return f"{item.author_name}, {timezone.localtime(item.submitted_at):%d %b %Y %H:%M}"
