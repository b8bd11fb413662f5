"""The reader's own pages: their account, their comments, their data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from broadsheet.accounts import services as account_services
from broadsheet.accounts.forms import DisplayNameForm
from broadsheet.accounts.selectors import commenter_for
from broadsheet.core.http import see_other


@login_required
@require_http_methods(["GET", "POST"])
def account_home(request: HttpRequest) -> HttpResponse:
    commenter = commenter_for(request.user)
    status = 200
    if request.method == "POST":
        form = DisplayNameForm(request.POST, user=request.user)
        if form.is_valid():
            account_services.reader_display_name_set(
                user=request.user, display_name=form.cleaned_data["display_name"]
            )
            messages.success(request, "Your display name is changed.")
            return see_other(request.path)
        status = 400
    else:
        form = DisplayNameForm(
            initial={"display_name": commenter.display_name if commenter else ""},
            user=request.user,
        )
    return render(
        request, "readers/account.html", {"form": form, "commenter": commenter}, status=status
    )
