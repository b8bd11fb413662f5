"""The preferences page and the unsubscribe link every email carries."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from broadsheet.notifications import services
from broadsheet.notifications.models import NotificationPreference
from broadsheet.notifications.tokens import EVERYTHING, read_unsubscribe_token


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = list(services.PREFERENCE_FIELDS)


PREFERENCE_NAMES = {
    "approved": "emails when your comment is published",
    "not_published": "emails when your comment is not published",
    "replies": "emails when someone replies to your comment",
    EVERYTHING: "all emails about your comments",
}


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    current = NotificationPreference.objects.filter(user_id=user.pk).first()
    form = PreferencesForm(request.POST or None, instance=current or NotificationPreference())
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            user=user,
            choices={name: form.cleaned_data[name] for name in services.PREFERENCE_FIELDS},
        )
        messages.success(request, "Your email choices are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# Mail programs send the one-click POST (RFC 8058) without a CSRF token or cookie; the signed
# token in the address is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    wanted = read_unsubscribe_token(token)
    if wanted is None or wanted.preference not in PREFERENCE_NAMES:
        return render(
            request, "notifications/unsubscribe.html", {"invalid": True}, status=400
        )
    context = {"what": PREFERENCE_NAMES[wanted.preference], "token": token}
    if request.method == "GET":
        # A GET changes nothing: link scanners in mail systems open every link.
        return render(request, "notifications/unsubscribe.html", context)
    if request.POST.get("everything"):
        wanted = replace(wanted, preference=EVERYTHING)
        context["what"] = PREFERENCE_NAMES[EVERYTHING]
    if services.unsubscribe(wanted) is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    return render(request, "notifications/unsubscribe.html", {**context, "done": True})
