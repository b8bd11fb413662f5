"""The desk's forms. Error messages speak to the moderator, not to a developer."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from broadsheet.comments.models import Comment
from broadsheet.core.converters import MAX_ROW_ID
from broadsheet.moderation.models import RejectionReason


def _reason_choices(reasons: list[RejectionReason]) -> list[tuple[str, str]]:
    return [(reason.slug, reason.label) for reason in reasons]



def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """FORM's choice field NAME, whose choices are set when the form is made."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field.")
    return field

class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        error_messages={
            "required": _("Choose a reason to reject this comment."),
            "invalid_choice": _("That reason is no longer offered. Choose one from the list."),
        }
    )
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, reasons: list[RejectionReason], **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = {reason.slug: reason for reason in reasons}
        _choice_field(self, "reason").choices = _reason_choices(reasons)

    @property
    def chosen_reason(self) -> RejectionReason:
        return self.reasons[self.cleaned_data["reason"]]


class EditForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
        label=_("Text to publish"),
        error_messages={"required": _("The edited comment is empty. Reject it instead.")},
    )
    note = forms.CharField(
        max_length=500, required=False, label=_("Note for the history (optional)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. removed a phone number")}),
    )


class BulkDecisionForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={"required": _("Select at least one comment first (tick its box).")},
    )
    decision = forms.ChoiceField(
        error_messages={
            "required": _("Choose what to do with the selected comments."),
            "invalid_choice": _("That choice is no longer offered. Choose again."),
        }
    )

    def __init__(self, *args, reasons: list[RejectionReason], **kwargs):
        super().__init__(*args, **kwargs)
        self.reasons = {reason.slug: reason for reason in reasons}
        _choice_field(self, "decision").choices = [
            ("", gettext("With selected…")),
            ("approve", gettext("Approve")),
            (gettext("Reject as…"), [(f"reject:{r.slug}", r.label) for r in reasons]),
        ]
        # Any id a row can have is acceptable here; ids no longer in the queue are skipped
        # later.
        submitted = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        _choice_field(self, "ids").choices = [
            (value, value)
            for value in submitted
            if value.isdigit() and 0 < int(value) <= MAX_ROW_ID
        ]
        self.fields["ids"].error_messages["invalid_choice"] = (
            gettext("Some of the selected comments could not be read. Reload the page and try "
                    "again.")
        )

    @property
    def seen_statuses(self) -> dict[int, str]:
        """Each selected comment's status as the queue page showed it (its `seen-<id>`
        field), for the decision to compare under the row lock."""
        seen = {}
        for comment_id in self.cleaned_data["ids"]:
            status = self.data.get(f"seen-{comment_id}", "")
            if status in Comment.Status.values:
                seen[comment_id] = status
        return seen

    @property
    def action(self) -> str:
        return self.cleaned_data["decision"].partition(":")[0]

    @property
    def reason(self) -> RejectionReason | None:
        slug = self.cleaned_data["decision"].partition(":")[2]
        return self.reasons.get(slug) if slug else None


class BanForm(forms.Form):
    EMAIL = "email"
    ACCOUNT = "account"
    CLIENT = "client"
    PERMANENT = ""
    CUSTOM = "custom"
    LENGTHS = [
        (PERMANENT, _("Permanently")), ("1", _("1 day")), ("7", _("7 days")), ("30", _("30 days")),
        (CUSTOM, _("Until a date…")),
    ]

    target = forms.ChoiceField(
        widget=forms.RadioSelect,
        label=_("Ban by"),
        error_messages={
            "required": _("Choose whether to ban the email address, the account or the network "
            "address."),
            "invalid_choice": _("This commenter was not signed in, so there is no account to "
            "ban. Ban the email address instead."),
        },
    )
    days = forms.ChoiceField(
        choices=LENGTHS, initial=PERMANENT, required=False, label=_("For how long"),
        error_messages={"invalid_choice": _("Choose permanently, 1, 7 or 30 days, or a date.")},
    )
    until = forms.DateField(
        required=False, label=_("Until (the end of this day, for “Until a date…”)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Give the date as YYYY-MM-DD.")},
    )
    note = forms.CharField(
        max_length=300, required=False, label=_("Why (kept with the ban, optional)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. repeated personal attacks")}),
    )
    reject_comment = forms.BooleanField(
        required=False, initial=True, label=_("Also reject this comment as from a banned commenter")
    )

    def __init__(self, *args, comment: Comment, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (self.EMAIL, gettext("Email address: %(email)s") % {"email": comment.author_email})
        ]
        if comment.user is not None:
            choices.append((
                self.ACCOUNT,
                gettext("Account: %(name)s") % {"name": comment.user.get_username()},
            ))
        if comment.ip_hash:
            choices.append((
                self.CLIENT,
                gettext("Network address #%(hash)s (hashed), for a limited time") % {
                    "hash": comment.ip_hash[:10]},
            ))
        _choice_field(self, "target").choices = choices
        self.fields["target"].initial = self.ACCOUNT if comment.user_id else self.EMAIL
        if comment.status == Comment.Status.REJECTED:
            del self.fields["reject_comment"]

    def clean(self):
        cleaned = super().clean()
        length = cleaned.get("days") or self.PERMANENT
        cleaned["days"], cleaned["ends_at"] = None, None
        if length == self.CUSTOM:
            until = cleaned.get("until")
            if until is None:
                self.add_error("until", gettext("Give the date the suspension ends."))
            else:
                end = datetime.combine(until, time.max)
                ends_at = timezone.make_aware(end, timezone.get_current_timezone())
                if ends_at <= timezone.now():
                    self.add_error("until", gettext("Choose a date in the future."))
                cleaned["ends_at"] = ends_at
        elif length != self.PERMANENT:
            cleaned["days"] = int(length)
        if (cleaned.get("target") == self.CLIENT and length == self.PERMANENT):
            self.add_error("days", gettext("Choose for how long to ban the network address."))
        return cleaned
