"""The desk's bans: ban the person behind a comment, list the bans in force, lift one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from broadsheet.comments.models import Comment
from broadsheet.core.http import see_other
from broadsheet.desk import selectors
from broadsheet.desk.forms import BanForm
from broadsheet.desk.http import moderator, safe_next, staff_required
from broadsheet.desk.views import all_tabs
from broadsheet.moderation import bans as moderation_bans
from broadsheet.moderation import services
from broadsheet.moderation.models import Ban
from broadsheet.moderation.services import DecisionError


@staff_required
def commenter_ban(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Confirm, then ban the person behind a comment by email address or account."""
    item = selectors.desk_item(comment_id=comment_id)
    comment = item.comment
    existing_bans = selectors.bans_for_commenter(comment=comment)
    form = BanForm(request.POST or None, comment=comment)
    if request.method == "POST" and form.is_valid():
        try:
            ban = _ban(request, comment, form.cleaned_data)
        except DecisionError as error:
            form.add_error(None, error.messages)
        else:
            who = ban.who or comment.author_name
            if ban in existing_bans:
                messages.info(request, _("%(who)s was already banned; nothing new was added.")
                              % {"who": who})
            elif ban.ends:
                messages.success(request, _(
                    "Banned %(who)s until %(until)s. Their new comments will be rejected "
                    "automatically.") % {"who": who, "until": ban.ends})
            else:
                messages.success(request, _(
                    "Banned %(who)s. Their new comments will be rejected automatically."
                ) % {"who": who})
            return see_other(safe_next(request))
    context = {
        "item": item,
        "form": form,
        "bans": existing_bans,
        "here": safe_next(request),
        "tabs": all_tabs(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/ban.html", context, status=status)


def _ban(request: HttpRequest, comment: Comment, data: dict[str, Any]) -> Ban:
    """The ban the confirmed form asks for, and the comment's rejection if it asks for that."""
    target = data["target"]
    ban = moderation_bans.commenter_ban(
        actor=moderator(request),
        email=comment.author_email if target == BanForm.EMAIL else "",
        user=comment.user if target == BanForm.ACCOUNT else None,
        ip_hash=comment.ip_hash if target == BanForm.CLIENT else "",
        days=data["days"],
        until=data["ends_at"],
        note=data["note"],
    )
    reason = selectors.rejection_reason_for_ban()
    if data.get("reject_comment") and reason is not None:
        services.comment_reject(
            comment=comment, actor=moderator(request), reason=reason, note="banned"
        )
    return ban


@staff_required
@require_GET
def bans(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.active_bans(), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "tabs": all_tabs(), "active_page": "bans"}
    return render(request, "desk/bans.html", context)


@staff_required
def ban_lift(request: HttpRequest, ban_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("desk:bans")
    ban = selectors.active_ban(ban_id=ban_id)
    if ban.lifted_at is not None:
        messages.info(request, _("That ban was already lifted."))
    else:
        moderation_bans.ban_lift(ban=ban)
        who = ban.who or _("the commenter")
        messages.success(request, _("Lifted the ban on %(who)s. Their new comments go to the "
                                    "queue.") % {"who": who})
    return see_other(reverse("desk:bans"))
