"""Who may comment on an article: the site's `commenting` setting, or its section's, and
whether a signed-in account has confirmed its email address."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from broadsheet.accounts.selectors import Commenter
from broadsheet.articles.models import Article
from broadsheet.core.links import link
from broadsheet.core.models import Commenting, SiteSettings


@dataclass(frozen=True)
class Refusal:
    """Why a comment will not be taken, and where the reader can put that right."""

    message: str
    code: str
    link: str
    link_label: str

    def as_text(self, absolute: str = "") -> str:
        return f"{self.message} {self.link_label}: {absolute or self.link}"


def commenting_rule(article: Article, site: SiteSettings) -> str:
    return article.section.commenting or site.commenting


def commenting_refusal(
    *, article: Article, site: SiteSettings, commenter: Commenter | None
) -> Refusal | None:
    """Why this commenter (None: not signed in) may not post on ARTICLE, or None."""
    if commenter is not None and not commenter.verified:
        return Refusal(
            _(
                "Your account's email address (%(email)s) is not confirmed yet, so comments "
                "cannot be posted under your name. Open the confirmation link we emailed you, "
                "or have it sent again."
            ) % {"email": commenter.email},
            "email_not_confirmed",
            link("account_email"),
            _("Send the confirmation link again"),
        )
    rule = commenting_rule(article, site)
    if rule == Commenting.VERIFIED and commenter is None:
        return Refusal(
            _("Comments here are open to readers signed in with a confirmed account."),
            "sign_in_required",
            _sign_in(article),
            _("Sign in or create an account"),
        )
    if rule == Commenting.SUBSCRIBERS and commenter is None:
        return Refusal(
            _("Comments here are open to subscribers only."),
            "subscribers_only",
            _sign_in(article),
            _("Sign in with your subscriber account"),
        )
    if rule == Commenting.SUBSCRIBERS and commenter is not None and not commenter.subscriber:
        return Refusal(
            _(
                "Comments here are open to subscribers only, and your account is not a "
                "subscriber's."
            ),
            "subscribers_only",
            link("readers:home"),
            _("Your account"),
        )
    return None


def _sign_in(article: Article) -> str:
    # Only for a refusal: every post asks whether there is one, and the article's address
    # costs as much as the rest of the question.
    return f"{settings.LOGIN_URL}?next={article.get_absolute_url()}%23comment-form"
