"""A reader's report sent through a form, as the site's page and the embedded frame take it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from broadsheet.comments import services
from broadsheet.comments.forms import ReportForm
from broadsheet.comments.models import Comment
from broadsheet.core.ratelimit import client_ip, hash_ip, limit_exceeded

ALREADY_REPORTED_MESSAGE = gettext_lazy(
    "You have already reported this comment, and the moderators have not dealt with it yet; "
    "there is no need to report it again."
)


def report_from_form(
    request: HttpRequest,
    form: ReportForm,
    *,
    comment: Comment,
    reporter: User | AnonymousUser | None = None,
) -> int | None:
    """Store the report the form holds; None once stored, else the status to show the form
    again with its errors (400 invalid, 429 too many, 409 already reported)."""
    ip = client_ip(request)
    if not form.is_valid():
        return 400
    if limit_exceeded("report-ip", ip, services.REPORTS_PER_MINUTE):
        form.add_error(None, gettext("You have sent many reports in the last minute. Please wait."))
        return 429
    try:
        services.comment_report(
            comment=comment,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            reporter=reporter if isinstance(reporter, User) else None,
            reporter_ip_hash=hash_ip(ip),
        )
    except services.ReportAlreadyOpen:
        form.add_error(None, ALREADY_REPORTED_MESSAGE)
        return 409
    return None
