from __future__ import annotations

from functools import lru_cache

from django import forms
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from broadsheet.accounts.selectors import Commenter
from broadsheet.articles.models import Article
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.selectors import reply_parent
from broadsheet.core.models import SiteSettings
from broadsheet.core.text import has_visible_characters, without_bidi_controls


class CommentForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name")
    email = forms.EmailField(
        max_length=254, label="Email", help_text="Never shown publicly.",
        error_messages={"invalid": "Enter a valid email address, like name@example.com."},
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Your comment")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, article: Article, site: SiteSettings, commenter: Commenter | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.article = article
        self.site = site
        self.parent_comment: Comment | None = None
        self.fields["text"].widget.attrs.update(
            {"maxlength": site.max_comment_length, "data-counter": "true"}
        )
        self.fields["name"].error_messages["required"] = "Enter the name to show with your comment."
        self.fields["email"].error_messages["required"] = "Enter your email address."
        self.fields["text"].error_messages["required"] = "Write your comment before posting."
        # A signed-in reader posts under their account's name and address: no fields for them.
        self.commenter = commenter
        if commenter is not None:
            del self.fields["name"], self.fields["email"]

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
            raise forms.ValidationError("Enter the name to show with your comment.")
        if not has_visible_characters(name):
            raise forms.ValidationError(
                "Your name is made only of invisible characters. Enter a name readers can see."
            )
        return name

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Write your comment before posting.")
        if not has_visible_characters(text):
            raise forms.ValidationError(
                "Your comment is made only of invisible characters. Write something readers "
                "can see before posting."
            )
        limit = self.site.max_comment_length
        if len(text) > limit:
            raise forms.ValidationError(
                f"Your comment has {len(text):,} characters; the limit is {limit:,}. "
                "Shorten it and post again."
            )
        return text

    def clean_parent(self) -> int | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = reply_parent(article_id=self.article.pk, comment_id=parent_id)
        if parent is None:
            raise forms.ValidationError(
                "The comment you are replying to is not on this article. Reply to a comment "
                "shown on this page."
            )
        if not parent.is_public:
            raise forms.ValidationError(
                "The comment you are replying to is not published, so it cannot take replies."
            )
        self.parent_comment = parent
        return parent_id

    def clean(self):
        cleaned = super().clean()
        if not self.article.is_published:
            raise forms.ValidationError("This article is not published, so it takes no comments.")
        if not self.article.comments_open(self.site.close_comments_after_days):
            raise forms.ValidationError("Comments are closed on this article.")
        return cleaned


@lru_cache(maxsize=256)
def _blank_widgets(max_length: int, parent: int | None) -> dict[str, SafeString]:
    site = SiteSettings(max_comment_length=max_length)
    form = CommentForm(initial={"parent": parent} if parent else {}, article=None, site=site)
    return {name: form[name].as_widget() for name in form.fields}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[(value, label) for value, label in Report.Reason.choices
                 if value != Report.Reason.APPEAL],
        widget=forms.RadioSelect, label="What is wrong with it?",
        error_messages={"required": "Choose why you are reporting this comment."},
    )
    note = forms.CharField(
        max_length=500, required=False, label="Anything the moderators should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
