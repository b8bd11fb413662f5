"""`broadsheet load_demo`: a small newsroom to click through, with comments in every state.

Safe to run again: what is already there is left alone. `--reset` removes the demo's own
articles, people and bans first and loads them fresh, which also moves every date to "now".
Decisions go through the moderation services, so the desk shows real history, and are then
back-dated so the history reads like days of work rather than one second.
"""

from __future__ import annotations

import operator
import os
from collections import Counter
from datetime import date, datetime, timedelta
from functools import reduce

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from broadsheet.accounts.services import reader_display_name_set
from broadsheet.articles.models import Article, Author, Image, Section, Tag
from broadsheet.articles.services import article_saved, image_saved
from broadsheet.comments.models import Comment, Report
from broadsheet.comments.services import (
    comment_fingerprint,
    comment_report,
    text_fingerprint,
)
from broadsheet.core.emails import mail_destination
from broadsheet.core.models import Page, Profile, SiteSettings
from broadsheet.demo import content, pictures
from broadsheet.demo.content import DemoArticle, DemoComment
from broadsheet.moderation import bans as moderation_bans
from broadsheet.moderation import services as moderation
from broadsheet.moderation import tasks
from broadsheet.moderation.models import Ban, Decision, RejectionReason

LOGIN_LINE = "Staff login: {user} / {password} at http://127.0.0.1:{port}/desk/"
READER_LOGIN_LINE = (
    "Reader login: {user} / {password} at http://127.0.0.1:{port}/accounts/login/"
)


class Command(BaseCommand):
    help = (
        "Load demo articles, reader comments in every moderation state, the Comments FAQ "
        "and a staff login. Running it again adds nothing; --reset reloads from scratch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo articles, their comments, the demo people and bans, then "
            "load everything again.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        # The demo publishes a superuser password; it must never land on a live site.
        if not settings.DEV_MODE:
            raise CommandError(
                "load_demo creates a staff account with a published password. Run it only on "
                "a development install (set BROADSHEET_DEV=1)."
            )
        with transaction.atomic():
            if reset:
                self._wipe()
            loader = _Loader(self, reset=reset)
            loader.load()
        if settings.BROADSHEET_TASK_RUNNER == "thread":
            # The article embeddings queued on commit run in this process's background
            # thread; exiting now would kill them, and the relevance scanner needs them.
            self.say("Waiting for the background work queued for the new articles...")
            tasks.runner.wait_idle(timeout=120)
        self._scan_pending()
        self._summary()
        if loader.login_known:
            login = LOGIN_LINE.format(
                user=content.EDITOR_USERNAME,
                password=content.EDITOR_PASSWORD,
                port=os.environ.get("PORT", "8000"),
            )
            self.stdout.write(self.style.SUCCESS(login))
            self.stdout.write(self.style.SUCCESS(READER_LOGIN_LINE.format(
                user=content.READER_EMAIL,
                password=content.READER_PASSWORD,
                port=os.environ.get("PORT", "8000"),
            )))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f'An account named "{content.EDITOR_USERNAME}" already existed with another '
                    "password; it was left as it is. Use --reset to restore the demo login."
                )
            )
        self.stdout.write(mail_destination())

    def say(self, line: str) -> None:
        self.stdout.write(line)

    def _wipe(self) -> None:
        articles = _demo_articles()
        deleted = articles.count()
        pictures_shown = list(
            Image.objects.filter(lead_of__in=articles).values_list("pk", flat=True)
        )
        # Comments, their history and reports go with their article.
        articles.delete()
        Image.objects.filter(pk__in=pictures_shown).delete()
        Ban.objects.filter(email__in=[email for email, _ in content.BANNED_EMAILS]).delete()
        get_user_model().objects.filter(
            username__in=[content.ENGAGEMENT_USERNAME, content.READER_EMAIL]
        ).delete()
        # Only what no other article still uses: an editor's own story keeps its byline.
        Author.objects.filter(
            slug__in=[slug for _, slug, _ in content.AUTHORS], articles__isnull=True
        ).delete()
        Tag.objects.filter(
            slug__in=[slug for _, slug in content.TAGS], articles__isnull=True
        ).delete()
        Section.objects.filter(
            slug__in=[slug for _, slug, _ in content.SECTIONS], articles__isnull=True
        ).delete()
        self.say(f"Reset: removed {deleted} demo articles with their comments.")

    def _scan_pending(self) -> None:
        """Scan the demo's pending comments now, so the desk shows the reader's reasons."""
        if not settings.BROADSHEET_SCANNING:
            return
        from broadsheet.moderation.pipeline import scan_comments

        pending = list(
            Comment.objects.filter(
                status=Comment.Status.PENDING, scan_state=Comment.ScanState.UNSCANNED
            ).values_list("pk", flat=True)
        )
        if pending:
            self.say(f"Scanning {len(pending)} pending comments...")
            scanned = scan_comments(pending)
            self.say(f"Scanned {scanned} comments.")

    def _summary(self) -> None:
        articles = _demo_articles()
        comments = Comment.objects.filter(article__in=articles)
        by_status = Counter(comments.values_list("status", flat=True))
        closed = articles.filter(comments_closed=True).count()
        self.say("")
        self.say(f"Articles: {articles.count()} ({closed} with comments closed)")
        self.say(
            f"Comments: {sum(by_status.values())} "
            f"(approved {by_status[Comment.Status.APPROVED]}, "
            f"pending {by_status[Comment.Status.PENDING]}, "
            f"rejected {by_status[Comment.Status.REJECTED]})"
        )
        self.say(
            f"History entries: {Decision.objects.filter(comment__in=comments).count()}, "
            f"open reports: "
            f"{Report.objects.filter(comment__in=comments, resolved_at__isnull=True).count()}, "
            f"bans: {Ban.objects.filter(lifted_at__isnull=True).count()}"
        )


def _demo_articles() -> QuerySet[Article]:
    which = reduce(
        operator.or_,
        (Q(section__slug=spec.section, slug=spec.key) for spec in content.ARTICLES),
    )
    return Article.objects.filter(which)


class _Loader:
    # Set by _people, the first step of load.
    editor: User
    engagement: User

    def __init__(self, command: Command, *, reset: bool) -> None:
        self.command = command
        self.reset = reset
        self.now = timezone.now()
        self.site = SiteSettings.load()
        self.login_known = True
        self.sections: dict[str, Section] = {}
        self.authors: dict[str, Author] = {}
        self.tags: dict[str, Tag] = {}

    def say(self, line: str) -> None:
        self.command.say(line)

    def load(self) -> None:
        self._people()
        self._taxonomy()
        for spec in content.ARTICLES:
            self._article(spec)
        for email, note in content.BANNED_EMAILS:
            moderation_bans.commenter_ban(actor=self.editor, email=email, note=note)
        self._reader()
        Page.objects.update_or_create(
            slug="comments-faq", defaults={"title": content.FAQ_TITLE, "body": content.FAQ_BODY}
        )
        self.say("Comments FAQ: /pages/comments-faq/")

    def _people(self) -> None:
        users = get_user_model()
        editor = users.objects.filter(username=content.EDITOR_USERNAME).first()
        if editor is None:
            editor = users.objects.create_superuser(
                content.EDITOR_USERNAME, content.EDITOR_EMAIL, content.EDITOR_PASSWORD
            )
            self.say(f"Staff superuser: {editor.username} (created)")
        elif self.reset:
            editor.set_password(content.EDITOR_PASSWORD)
            editor.is_staff = editor.is_superuser = editor.is_active = True
            editor.save()
            self.say(f"Staff superuser: {editor.username} (password restored)")
        else:
            # Someone's real account may be called "editor": never take it over silently.
            self.login_known = editor.check_password(content.EDITOR_PASSWORD)
            self.say(f"Staff superuser: {editor.username} (already there)")
        self.editor = editor

        engagement, created = users.objects.get_or_create(
            username=content.ENGAGEMENT_USERNAME,
            defaults={"email": content.ENGAGEMENT_EMAIL, "is_staff": True},
        )
        if created:
            # The team posts from the desk's own login; this account exists to be shown.
            engagement.set_unusable_password()
            engagement.save()
        Profile.objects.update_or_create(
            user=engagement,
            defaults={
                "display_name": content.ENGAGEMENT_NAME,
                "verified_label": content.ENGAGEMENT_LABEL,
            },
        )
        self.engagement = engagement
        self.say(f"Staff account: {engagement.username} ({content.ENGAGEMENT_LABEL})")

    def _reader(self) -> None:
        users = get_user_model()
        reader = users.objects.filter(username=content.READER_EMAIL).first()
        if reader is not None:
            self.say(f"Reader account: {content.READER_EMAIL} (already there)")
            return
        reader = users.objects.create_user(
            content.READER_EMAIL, content.READER_EMAIL, content.READER_PASSWORD
        )
        EmailAddress.objects.create(
            user=reader, email=content.READER_EMAIL, verified=True, primary=True
        )
        reader_display_name_set(user=reader, display_name=content.READER_NAME)
        article = _demo_articles().earliest("published_at", "pk")
        for position, (status, reason, text) in enumerate(content.READER_COMMENTS):
            comment = Comment.objects.create(
                article=article,
                user=reader,
                author_name=content.READER_NAME,
                author_email=content.READER_EMAIL,
                text=text,
                fingerprint=comment_fingerprint(
                    article_id=article.pk, author_email=content.READER_EMAIL, text=text
                ),
                text_fingerprint=text_fingerprint(text),
                submitted_at=self._at(article.published_at + timedelta(minutes=40 + position)),
                scan_state=Comment.ScanState.SKIPPED,
            )
            if status == Comment.Status.APPROVED:
                moderation.comment_approve(comment=comment, actor=self.editor)
            elif status == Comment.Status.REJECTED:
                moderation.comment_reject(
                    comment=comment, actor=self.editor, reason=_reason(reason),
                    note="About the bins, not the story.",
                )
        self.say(f"Reader account: {content.READER_EMAIL} (created, with a comment in each state)")

    def _taxonomy(self) -> None:
        for name, slug, position in content.SECTIONS:
            self.sections[slug], _ = Section.objects.get_or_create(
                slug=slug, defaults={"name": name, "position": position}
            )
        for name, slug, bio in content.AUTHORS:
            self.authors[slug], _ = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "bio": bio}
            )
        for name, slug in content.TAGS:
            self.tags[slug], _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        self.say(
            f"Sections: {len(self.sections)}, authors: {len(self.authors)}, "
            f"tags: {len(self.tags)}"
        )

    def _picture(self, spec: DemoArticle, picture: tuple[str, str, str]) -> Image:
        alt_text, caption, credit = picture
        image = Image(alt_text=alt_text, caption=caption, credit=credit)
        image.file.save(f"{spec.key}.png", ContentFile(pictures.bus_station_picture()), save=False)
        Image._meta.get_field("file").update_dimension_fields(image, force=True)
        image.save()
        image_saved(image=image, file_changed=True)
        return image

    def _article(self, spec: DemoArticle) -> None:
        section = self.sections[spec.section]
        existing = Article.objects.filter(section=section, slug=spec.key).first()
        if existing is not None:
            self.say(f"Article: {existing.get_absolute_url()} (already there)")
            return
        published = self.now - spec.age
        article = Article.objects.create(
            headline=spec.headline,
            slug=spec.key,
            deck=spec.deck,
            section=section,
            dateline=spec.dateline,
            body=spec.body,
            status=Article.Status.PUBLISHED,
            published_at=published,
            print_edition_date=_print_date(published, self.now) if spec.print_edition else None,
            comments_closed=spec.comments_closed,
            created_by=self.editor,
        )
        article.authors.set([self.authors[slug] for slug in spec.authors])
        article.tags.set([self.tags[slug] for slug in spec.tags])
        if spec.picture is not None:
            article.lead_image = self._picture(spec, spec.picture)
            article.save(update_fields=["lead_image"])
        article_saved(article=article)

        statuses: Counter[str] = Counter()
        for top in spec.comments:
            self._comment(article, top, parent=None, statuses=statuses)
        self.say(
            f"Article: {article.get_absolute_url()} (created; {statuses['approved']} approved, "
            f"{statuses['pending']} pending, {statuses['rejected']} rejected comments)"
        )

    def _comment(
        self, article: Article, spec: DemoComment, *, parent: Comment | None, statuses: Counter
    ) -> None:
        submitted = self._at(article.published_at + timedelta(minutes=spec.after))
        sent_text = spec.submitted_text or spec.text
        comment = Comment.objects.create(
            article=article,
            parent=parent,
            thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            user=self.engagement if spec.staff else None,
            author_name=spec.name,
            author_email=spec.email,
            text=sent_text,
            fingerprint=comment_fingerprint(
                article_id=article.pk, author_email=spec.email, text=sent_text
            ),
            text_fingerprint=text_fingerprint(sent_text),
            submitted_at=submitted,
        )
        statuses[spec.status] += 1
        if spec.status != Comment.Status.PENDING:
            self._decide(comment, spec)
        for reply in spec.replies:
            if spec.status != Comment.Status.APPROVED:
                raise CommandError(f"Demo data: a reply to an unpublished comment: {reply.text}")
            self._comment(article, reply, parent=comment, statuses=statuses)

    def _decide(self, comment: Comment, spec: DemoComment) -> None:
        if spec.status == Comment.Status.REJECTED:
            moderation.comment_reject(
                comment=comment, actor=self.editor, reason=_reason(spec.reason), note=spec.note
            )
        elif spec.submitted_text:
            moderation.comment_edit_approve(
                comment=comment,
                actor=self.editor,
                text=spec.text,
                max_length=self.site.max_comment_length,
                note=spec.note,
            )
        else:
            moderation.comment_approve(comment=comment, actor=self.editor, note=spec.note)

        # A moderator reads it some minutes later, and always before anyone could reply to it.
        waited = timedelta(minutes=6 + (spec.after * 7) % 45)
        if spec.replies:
            first_reply = min(reply.after for reply in spec.replies)
            waited = min(waited, timedelta(minutes=max(first_reply - spec.after - 1, 1)))
        decided = self._at(comment.submitted_at + waited)
        Comment.objects.filter(pk=comment.pk).update(
            decided_at=decided, scan_state=Comment.ScanState.SKIPPED
        )
        Decision.objects.filter(comment=comment).update(created_at=decided)

        if spec.report is not None:
            reason, note = spec.report
            report = comment_report(comment=comment, reason=reason, note=note)
            Report.objects.filter(pk=report.pk).update(
                created_at=self._at(decided + timedelta(hours=3))
            )

    def _at(self, moment: datetime) -> datetime:
        # Nothing the demo writes may claim to have happened in the future.
        return min(moment, self.now - timedelta(minutes=1))


def _print_date(published: datetime, now: datetime) -> date:
    # The morning paper after the story went up online, unless that is still to come.
    return min(timezone.localtime(published).date() + timedelta(days=1), timezone.localdate(now))


def _reason(slug: str) -> RejectionReason:
    # The data migration adds these; a flushed test database may not have them.
    reason, _ = RejectionReason.objects.get_or_create(
        slug=slug, defaults={"label": slug.replace("-", " ").capitalize()}
    )
    return reason
