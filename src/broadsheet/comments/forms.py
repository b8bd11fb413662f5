from __future__ import annotations

import copy
from functools import lru_cache

from django import forms
from django.utils.functional import cached_property
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from broadsheet.accounts.selectors import Commenter
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.selectors import reply_parent
from broadsheet.core.models import SiteSettings
from broadsheet.core.text import has_visible_characters, without_bidi_controls


class CommentForm(forms.Form):
    name = forms.CharField(max_length=80, label=gettext_lazy("Name"))
    email = forms.EmailField(
        max_length=254, label=gettext_lazy("Email"),
        help_text=gettext_lazy("Never shown publicly."),
        error_messages={
            "invalid": gettext_lazy("Enter a valid email address, like name@example.com.")
        },
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label=gettext_lazy("Your comment")
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, article: Article, site: SiteSettings, commenter: Commenter | None = None,
        **kwargs,
    ):
        # The fields as this site, language and kind of commenter have them, made once and
        # shared by every form (BaseForm.__init__ takes a plain copy of the dict instead of
        # deep-copying each field and widget, which cost more than validating a comment).
        # Nothing changes a field after this; a form that needs its own must copy it first.
        self.base_fields = _SharedFields(  # type: ignore[misc]  # this form's own, on purpose
            _configured_fields(site.max_comment_length, commenter is not None, get_language())
        )
        super().__init__(*args, **kwargs)
        self.article = article
        self.site = site
        self.parent_comment: Comment | None = None
        self.commenter = commenter

    @cached_property
    def widgets(self) -> dict[str, SafeString]:
        """Each field's input as HTML. A blank form's are the same for every reader of every
        article, and Django renders widgets through templates, so those are made once."""
        if self.is_bound or self.prefix or self.auto_id != "id_%s":
            return {name: self[name].as_widget() for name in self.fields}
        return _blank_widgets(self.site.max_comment_length, self.initial.get("parent"))

    @property
    def author_name(self) -> str:
        return self.commenter.display_name if self.commenter else self.cleaned_data["name"]

    @property
    def author_email(self) -> str:
        return self.commenter.email if self.commenter else self.cleaned_data["email"]

    def clean_name(self) -> str:
        name = " ".join(without_bidi_controls(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("Enter the name to show with your comment."))
        if not has_visible_characters(name):
            raise forms.ValidationError(
                _("Your name is made only of invisible characters. Enter a name readers can see.")
            )
        return name

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write your comment before posting."))
        if not has_visible_characters(text):
            raise forms.ValidationError(_(
                "Your comment is made only of invisible characters. Write something readers "
                "can see before posting."
            ))
        limit = self.site.max_comment_length
        if len(text) > limit:
            raise forms.ValidationError(
                _(
                    "Your comment has %(length)s characters; the limit is %(limit)s. "
                    "Shorten it and post again."
                ) % {"length": f"{len(text):,}", "limit": f"{limit:,}"}
            )
        return text

    def clean_parent(self) -> int | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        found = reply_parent(article_id=self.article.pk, comment_id=parent_id)
        if found is None:
            raise forms.ValidationError(_(
                "The comment you are replying to is not on this article. Reply to a comment "
                "shown on this page."
            ))
        parent, is_public = found
        if not is_public:
            raise forms.ValidationError(_(
                "The comment you are replying to is not published, so it cannot take replies."
            ))
        self.parent_comment = parent
        return parent_id

    def clean(self):
        cleaned = super().clean()
        if not self.article.is_published:
            raise forms.ValidationError(
                _("This article is not published, so it takes no comments.")
            )
        if not self.article.comments_open(self.site.close_comments_after_days):
            raise forms.ValidationError(_("Comments are closed on this article."))
        return cleaned


class _SharedFields(dict):
    """A form's fields that BaseForm.__init__'s deepcopy copies as a plain dict."""

    def __deepcopy__(self, memo: dict) -> dict:
        return dict(self)


@lru_cache(maxsize=64)
def _configured_fields(
    max_length: int, signed_in: bool, language: str | None
) -> dict[str, forms.Field]:
    """CommentForm's fields for a site's MAX_LENGTH, a signed-in commenter or not, in
    LANGUAGE (the messages are translated here)."""
    fields = copy.deepcopy(CommentForm.base_fields)
    fields["text"].widget.attrs.update({"maxlength": max_length, "data-counter": "true"})
    required = {
        "name": _("Enter the name to show with your comment."),
        "email": _("Enter your email address."),
        "text": _("Write your comment before posting."),
    }
    for name, message in required.items():
        fields[name].error_messages["required"] = message
    # A signed-in reader posts under their account's name and address: no fields for them.
    if signed_in:
        del fields["name"], fields["email"]
    return fields


@lru_cache(maxsize=256)
def _blank_widgets(max_length: int, parent: int | None) -> dict[str, SafeString]:
    site = SiteSettings(max_comment_length=max_length)
    # Never validated, so the article is a blank one, like the settings.
    form = CommentForm(
        initial={"parent": parent} if parent else {}, article=Article(), site=site
    )
    return {name: form[name].as_widget() for name in form.fields}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[(value, label) for value, label in Report.Reason.choices
                 if value != Report.Reason.APPEAL],
        widget=forms.RadioSelect, label=gettext_lazy("What is wrong with it?"),
        error_messages={"required": gettext_lazy("Choose why you are reporting this comment.")},
    )
    note = forms.CharField(
        max_length=500, required=False,
        label=gettext_lazy("Anything the moderators should know (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
