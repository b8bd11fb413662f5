from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from broadsheet.articles.models import Author, Section
from broadsheet.articles.selectors import (
    article_for_permalink,
    article_list,
    front_page_sections,
)
from broadsheet.comments.selectors import BadCursor, public_comment_count, public_comments
from broadsheet.core import csrf_tokens
from broadsheet.core.context_processors import current_site_links
from broadsheet.reading import page_cache
from broadsheet.reading.article_page import article_page_context
from broadsheet.reading.comment_rendering import render_comment_section
from broadsheet.reading.comment_section import comment_section_context


def home(request: HttpRequest) -> HttpResponse:
    sections = front_page_sections(comment_count=public_comment_count())
    return render(request, "articles/home.html", {"sections": sections})


def section_detail(request: HttpRequest, section: str) -> HttpResponse:
    section_obj = get_object_or_404(Section, slug=section)
    articles = article_list(section=section_obj, comment_count=public_comment_count())
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "articles/section.html",
        {"section": section_obj, "page": page, "current_section": section_obj.slug},
    )


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    articles = article_list(author=author, comment_count=public_comment_count())
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
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
        reply_to = public_comments().filter(pk=int(reply_to_id), article=article).first()
    try:
        context = comment_section_context(request, article, cursor=cursor, reply_to=reply_to)
    except BadCursor as error:
        context = comment_section_context(request, article)
        context["cursor_error"] = str(error)
    if request.headers.get("HX-Request") and cursor:
        return HttpResponse(context["threads_html"])
    context = article_page_context(article, request=request, canonical_path=canonical) | context
    stored = cacheable and article.is_published and context["cacheable_cursor"]
    # Made here rather than by the context processor, as the comment section needs it too;
    # one token per page, as the processor's would be.
    context["csrf_token"] = (
        page_cache.CSRF_PLACEHOLDER if stored else csrf_tokens.get_token(request)
    )
    context["comment_section_html"] = render_comment_section(
        context, csrf_token=context["csrf_token"], faq_url=current_site_links()["faq"]
    )
    if not stored:
        return render(request, "articles/detail.html", context)
    html = render_to_string("articles/detail.html", context, request=request)
    return page_cache.store_page(request, article.pk, html)
