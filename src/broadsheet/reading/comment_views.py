from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.articles.models import Article
from broadsheet.articles.selectors import article_with_section
from broadsheet.comments import services
from broadsheet.comments.access import commenting_refusal
from broadsheet.comments.forms import CommentForm, ReportForm
from broadsheet.comments.models import Comment
from broadsheet.comments.reporting import report_from_form
from broadsheet.comments.selectors import public_comments
from broadsheet.core.http import see_other
from broadsheet.core.models import SiteSettings
from broadsheet.core.ratelimit import client_ip, hash_ip
from broadsheet.reading.article_page import article_page_context
from broadsheet.reading.comment_section import (
    comment_section_context,
    remember_own_comment,
    request_commenter,
)

RATE_LIMIT_MESSAGE = (
    "You have posted several comments in the last minute. Please wait a minute, then post "
    "again; your text is kept below."
)


def _article_page(request: HttpRequest, article: Article, form: CommentForm, status: int):
    context = article_page_context(article, request=request) | comment_section_context(
        request, article, form=form
    )
    return render(request, "articles/detail.html", context, status=status)


@require_POST
def comment_post(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_with_section(article_id)
    if article is None:
        raise Http404("No article with this id.")
    if not article.is_published:
        return _not_published(request)
    site = SiteSettings.load()
    commenter = request_commenter(request)
    form = CommentForm(request.POST, article=article, site=site, commenter=commenter)
    refusal = commenting_refusal(article=article, site=site, commenter=commenter)
    if refusal is not None:
        # Nothing is stored; the page says why and links to where it can be put right.
        return _article_page(request, article, form, status=403)
    if not form.is_valid():
        return _article_page(request, article, form, status=400)

    ip = client_ip(request)
    try:
        comment, _created = services.comment_submit(
            article=article,
            parent=form.parent_comment,
            author_name=form.author_name,
            author_email=form.author_email,
            text=form.cleaned_data["text"],
            user=request.user if request.user.is_authenticated else None,
            ip_hash=hash_ip(ip),
            limit=services.PostLimit(ip, form.author_email, site.comments_per_minute),
        )
    except services.CommentRateLimited as limited:
        form.add_error(None, RATE_LIMIT_MESSAGE)
        response = _article_page(request, article, form, status=429)
        response["Retry-After"] = str(max(1, limited.verdict.retry_after))
        return response

    _say_what_became_of(request, comment)
    return remember_own_comment(
        request, see_other(f"{article.get_absolute_url()}#c{comment.pk}"), comment
    )


def _not_published(request: HttpRequest) -> HttpResponse:
    # Never render a draft to the public, even to say no.
    return render(
        request,
        "error.html",
        {"title": "Comment not posted",
         "message": "This article is not published, so it takes no comments."},
        status=400,
    )


def _say_what_became_of(request: HttpRequest, comment: Comment) -> None:
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Your comment is published.")
    elif comment.status == Comment.Status.PENDING:
        messages.success(
            request,
            "Your comment is awaiting moderation. It will appear once a moderator approves it.",
        )
    else:
        messages.info(request, "Your comment was not published.")


@require_GET
def reply_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    parent = get_object_or_404(
        public_comments().select_related("article__section"), pk=comment_id
    )
    if not request.headers.get("HX-Request"):
        return redirect(f"{parent.article.get_absolute_url()}?reply_to={parent.pk}#comment-form")
    site = SiteSettings.load()
    commenter = request_commenter(request)
    # Its own ids, so the labels of the main form still point at the main form's fields.
    form = CommentForm(
        initial={"parent": parent.pk},
        article=parent.article,
        site=site,
        commenter=commenter,
        auto_id=f"id_reply{parent.pk}_%s",
    )
    return render(
        request,
        "comments/_form.html",
        {
            "form": form,
            "article": parent.article,
            "reply_to": parent,
            "max_length": site.max_comment_length,
            "comments_open": parent.article.comments_open(site.close_comments_after_days),
            "commenting_refusal": commenting_refusal(
                article=parent.article, site=site, commenter=commenter
            ),
            "in_place": True,
        },
    )


@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(
        public_comments().select_related("article__section"), pk=comment_id
    )
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST)
        refused = report_from_form(request, form, comment=comment, reporter=request.user)
        if refused is None:
            messages.success(request, "Thank you. Your report has been sent to the moderators.")
            return see_other(f"{comment.article.get_absolute_url()}#c{comment.pk}")
        status = refused
    else:
        form = ReportForm()
    return render(
        request, "comments/report.html", {"form": form, "comment": comment}, status=status
    )
