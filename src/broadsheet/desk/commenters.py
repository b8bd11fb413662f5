"""The desk's page about the person behind a comment: what kind of commenter, their record
and comments (by account, across changes of address), and the moderators' notes on them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from broadsheet.core.http import see_other
from broadsheet.desk import selectors
from broadsheet.desk.http import safe_next, staff_required
from broadsheet.desk.views import all_tabs
from broadsheet.moderation import services
from broadsheet.moderation.services import DecisionError


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=services.NOTE_MAX_LENGTH, label=_("Add a note for the other moderators"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write the note first."),
            "max_length": format_lazy(
                _("Keep the note under {limit} characters."), limit=services.NOTE_MAX_LENGTH
            ),
        },
    )


@staff_required
def commenter(request: HttpRequest, comment_id: int) -> HttpResponse:
    item = selectors.desk_item(comment_id=comment_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = request.user
        assert isinstance(actor, AbstractBaseUser)  # staff_required
        try:
            services.commenter_note_add(
                comment=item.comment, actor=actor, text=form.cleaned_data["text"]
            )
        except DecisionError as error:
            form.add_error("text", error.messages)
        else:
            messages.success(request, gettext("Note added. It shows on every comment of theirs."))
            here = reverse("desk:commenter", args=[comment_id])
            return see_other(f"{here}?next={safe_next(request)}")
    context = {
        "item": item,
        "form": form,
        "comments": selectors.commenter_comments(comment=item.comment),
        "bans": selectors.bans_for_commenter(comment=item.comment),
        "back": safe_next(request),
        "here": request.get_full_path(),
        "tabs": all_tabs(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "desk/commenter.html", context, status=status)
