import os
import sys

from django.apps import AppConfig
from django.conf import settings


def _is_serving() -> bool:
    if sys.argv and "gunicorn" in sys.argv[0]:  # also `python -m gunicorn`
        return True
    # runserver's autoreloader runs the site in a child process marked RUN_MAIN.
    return "runserver" in sys.argv and (
        os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv
    )


def _settings_changed(**kwargs) -> None:
    from broadsheet.moderation.pipeline import forget_checked_settings

    forget_checked_settings(**kwargs)


def _embed_published_article(*, article_id: int, **kwargs) -> None:
    # Not at the top: tasks imports models, which cannot load before the app registry.
    from broadsheet.moderation.tasks import enqueue_article_embedding

    enqueue_article_embedding(article_id)


def _rescan_edited_comment(*, comment, **kwargs) -> None:
    from broadsheet.moderation.tasks import enqueue_scan

    enqueue_scan(comment.pk)


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    label = "moderation"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_delete, post_save

        from broadsheet.articles.signals import article_published
        from broadsheet.comments.hooks import register_submit_hooks
        from broadsheet.comments.signals import comment_edited
        from broadsheet.moderation import receivers  # noqa: F401  (connects allauth's signal)
        from broadsheet.moderation.checks import pretrained_model_present
        from broadsheet.moderation.submissions import SUBMIT_HOOKS

        # The one registration: every comment submitted from now on is checked for a ban and
        # scanned by this app (comments.hooks).
        register_submit_hooks(SUBMIT_HOOKS)
        checks.register(pretrained_model_present)
        article_published.connect(_embed_published_article, dispatch_uid="embed-article")
        comment_edited.connect(_rescan_edited_comment, dispatch_uid="rescan-edited-comment")
        # The scanner re-reads these every few seconds; an edit made in this process applies
        # to the next batch.
        for model in ("moderation.WordListEntry", "moderation.BlockedDomain",
                      "moderation.ArticleEmbedding", "articles.Article"):
            for signal in (post_save, post_delete):
                signal.connect(_settings_changed, sender=model, dispatch_uid=f"recheck-{model}")
        # A web process with the in-process runner also sweeps for comments whose scan was
        # lost (a crash, a restart), even before anyone posts.
        if settings.BROADSHEET_TASK_RUNNER == "thread" and _is_serving():
            from django.core.signals import request_finished

            from broadsheet.moderation.tasks import runner

            runner.scan_after_responses = True
            request_finished.connect(runner.after_response, dispatch_uid="scan-after-response")
            runner.start()
