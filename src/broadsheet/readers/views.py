"""The reader's own pages: their account, their comments, their data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from broadsheet.accounts import services as account_services
from broadsheet.accounts.forms import DisplayNameForm
from broadsheet.accounts.selectors import commenter_for
from broadsheet.comments import authoring
from broadsheet.core.http import see_other
from broadsheet.core.models import SiteSettings
from broadsheet.moderation import author_actions
from broadsheet.readers import services as reader_services
from broadsheet.readers.forms import AppealForm, EditForm
from broadsheet.readers.selectors import OwnComment, own_comment, own_comments


def _account(request: HttpRequest) -> User:
    """The signed-in account (every view here is behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to see your account.")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def account_home(request: HttpRequest) -> HttpResponse:
    commenter = commenter_for(_account(request))
    status = 200
    if request.method == "POST":
        form = DisplayNameForm(request.POST, user=_account(request))
        if form.is_valid():
            account_services.reader_display_name_set(
                user=_account(request), display_name=form.cleaned_data["display_name"]
            )
            messages.success(request, "Your display name is changed.")
            return see_other(request.path)
        status = 400
    else:
        form = DisplayNameForm(
            initial={"display_name": commenter.display_name if commenter else ""},
            user=_account(request),
        )
    return render(
        request, "readers/account.html", {"form": form, "commenter": commenter}, status=status
    )


@login_required
@require_GET
def my_comments(request: HttpRequest) -> HttpResponse:
    return render(request, "readers/comments.html", {"items": own_comments(_account(request))})


def _own_or_404(request: HttpRequest, comment_id: int) -> OwnComment:
    item = own_comment(_account(request), comment_id)
    if item is None:
        raise Http404("That is not one of your comments.")
    return item


def _own_comment_form(
    request: HttpRequest, *, item: OwnComment, form: forms.Form, template: str,
    action: Callable[[dict[str, Any]], object], done: str, status: int = 200,
) -> HttpResponse:
    """The page of FORM about the reader's own comment ITEM; on a valid POST, ACTION with the
    form's data, then back to the reader's comments saying DONE. A refusal
    (authoring.NotAllowed) shows on the form."""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                action(form.cleaned_data)
            except authoring.NotAllowed as refusal:
                form.add_error(None, str(refusal))
                status = 409
            else:
                messages.success(request, done)
                return see_other(reverse("readers:comments"))
    return render(request, template, {"item": item, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def comment_appeal(request: HttpRequest, comment_id: int) -> HttpResponse:
    item, user = _own_or_404(request, comment_id), _account(request)
    return _own_comment_form(
        request, item=item, form=AppealForm(request.POST or None),
        template="readers/appeal.html",
        action=lambda data: authoring.comment_appeal(
            comment_id=comment_id, user=user, note=data["note"]
        ),
        done="Your request for a review has been sent to the moderators.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, comment_id: int) -> HttpResponse:
    item, user = _own_or_404(request, comment_id), _account(request)
    max_length = SiteSettings.load().max_comment_length
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST, max_length=max_length)
    else:
        form = EditForm(initial={"text": item.comment.text}, max_length=max_length)
        if item.editable_until is None:
            status = 409
            form.add_error(None, "This comment can no longer be edited.")
    return _own_comment_form(
        request, item=item, form=form, template="readers/edit.html", status=status,
        action=lambda data: author_actions.comment_edit_by_its_author(
            comment_id=comment_id, user=user, text=data["text"]
        ),
        done="Your comment is changed and awaits moderation again.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, comment_id: int) -> HttpResponse:
    item = _own_or_404(request, comment_id)
    if request.method == "POST":
        try:
            author_actions.comment_delete_by_its_author(
                comment_id=comment_id, user=_account(request)
            )
        except authoring.NotAllowed as refusal:
            raise Http404(str(refusal)) from refusal
        messages.success(request, "Your comment is deleted.")
        return see_other(reverse("readers:comments"))
    return render(request, "readers/delete.html", {"item": item})


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    data = reader_services.reader_data_export(user=_account(request))
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="my-broadsheet-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    status = 200
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "delete":
            reader_services.reader_account_delete(user=_account(request))
            logout(request)
            messages.success(request, "Your account is deleted, and your email address with it.")
            return see_other("/")
        error = 'Type "delete" in the box to confirm.'
        status = 400
    return render(
        request, "readers/delete_account.html",
        {"error": error, "comments_kept": settings.BROADSHEET_DELETED_ACCOUNT_COMMENTS},
        status=status,
    )
