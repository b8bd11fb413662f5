from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from broadsheet.articles import page_cache
from broadsheet.articles.models import Article, Author, Section
from broadsheet.articles.selectors import (
    article_for_permalink,
    article_list,
    front_page_sections,
)
from broadsheet.comments.models import Comment
from broadsheet.comments.page import comment_section_context
from broadsheet.comments.selectors import BadCursor
from broadsheet.core.models import Page, SiteSettings
from broadsheet.core.text import json_ld_script, render_markdown, with_dateline


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/home.html", {"sections": front_page_sections()})


def section_detail(request: HttpRequest, section: str) -> HttpResponse:
    section_obj = get_object_or_404(Section, slug=section)
    page = Paginator(article_list(section=section_obj), 20).get_page(request.GET.get("page"))
    return render(request, "articles/section.html", {"section": section_obj, "page": page})


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    page = Paginator(article_list(author=author), 20).get_page(request.GET.get("page"))
    return render(request, "articles/author.html", {"author": author, "page": page})


def article_detail(
    request: HttpRequest, section: str, year: int, month: int, day: int, slug: str
) -> HttpResponse:
    cacheable = page_cache.is_cacheable(request)
    if cacheable and (hit := page_cache.cached_page(request)) is not None:
        return hit
    article = article_for_permalink(
        section=section, year=year, month=month, day=day, slug=slug,
        preview=request.user.is_staff,
    )
    canonical = article.get_absolute_url()
    if request.path != canonical:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(canonical + query, permanent=True)
    cursor = request.GET.get("after") or None
    reply_to = None
    reply_to_id = request.GET.get("reply_to", "")
    if reply_to_id.isdigit():
        reply_to = Comment.objects.filter(
            pk=int(reply_to_id), article=article, status=Comment.Status.APPROVED
        ).first()
    try:
        context = comment_section_context(request, article, cursor=cursor, reply_to=reply_to)
    except BadCursor as error:
        context = comment_section_context(request, article)
        context["cursor_error"] = str(error)
    if request.headers.get("HX-Request") and cursor:
        return HttpResponse(context["threads_html"])
    context = article_page_context(article) | context
    if not cacheable or not article.is_published:
        return render(request, "articles/detail.html", context)
    context["csrf_token"] = page_cache.CSRF_PLACEHOLDER
    html = render_to_string("articles/detail.html", context, request=request)
    return page_cache.store_page(request, article.pk, html)


def article_page_context(article: Article) -> dict:
    authors = list(article.authors.all())
    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.deck,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "author": [{"@type": "Person", "name": a.name} for a in authors],
        "publisher": {"@type": "Organization", "name": SiteSettings.load().paper_name},
    }
    body_key = f"article-body:{article.pk}:{article.updated_at.timestamp()}"
    body_html = cache.get(body_key)
    if body_html is None:
        body_html = with_dateline(render_markdown(article.body), article.dateline)
        cache.set(body_key, body_html, 3600)
    return {
        "canonical_path": article.get_absolute_url(),
        "body_html": mark_safe(body_html),
        "authors": authors,
        "json_ld": json_ld_script(json_ld),
    }


def page_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = get_object_or_404(Page, slug=slug)
    return render(
        request, "core/page.html", {"page": page, "body_html": render_markdown(page.body)}
    )
