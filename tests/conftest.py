"""Fixtures shared by the whole suite: named people, articles and comments."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from broadsheet.articles.models import Article, Author, Section
from broadsheet.comments.models import Comment
from broadsheet.comments.services import comment_fingerprint, text_fingerprint
from broadsheet.core.models import Page

# A cache configuration whose Redis is never there, for the fail-open tests.
DEAD_REDIS = {
    "default": {
        "BACKEND": "broadsheet.core.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}

_sequence = itertools.count(1)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """After a test against the live server (the browser tests), close the connections its own
    queries opened, from where the test ran. Playwright runs an event loop in this thread, and
    Django then keeps connections per context: a fixture's teardown does not see the test's,
    and one left open keeps PostgreSQL from dropping the test database at the end of the run.
    """
    try:
        return (yield)
    finally:
        if "live_server" in pyfuncitem.fixturenames:
            from django.db import connections

            connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _background_runner_stopped_at_the_end(django_db_setup):
    """Stop the in-process runner's thread before the test databases are dropped: it keeps its
    connection while busy, and PostgreSQL does not drop a database that is still in use."""
    yield
    from broadsheet.moderation.tasks import runner

    runner.stop()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Scans run inline in tests unless a test asks for another runner.
    settings.BROADSHEET_TASK_RUNNER = "sync"
    settings.BROADSHEET_SCANNING = False
    settings.BROADSHEET_SWEEP_EVERY_SECONDS = 0
    cache.clear()
    # Each test's rows vanish with its transaction, without signals: read the lists afresh.
    from broadsheet.moderation.pipeline import forget_checked_settings

    forget_checked_settings()
    yield
    cache.clear()


@pytest.fixture
def section(db) -> Section:
    return Section.objects.create(name="Sport", slug="sport")


@pytest.fixture
def author(db) -> Author:
    return Author.objects.create(name="Amina Qureshi", slug="amina-qureshi")


def make_article(section: Section, **fields) -> Article:
    n = next(_sequence)
    defaults = {
        "headline": f"Rain delays the third test in Karachi ({n})",
        "slug": f"rain-delays-third-test-{n}",
        "deck": "Play resumed after tea with the home side on 212 for four",
        "section": section,
        "dateline": "KARACHI",
        "body": "Rain held up play for three hours.\n\nThe *ground staff* worked through lunch.",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=2),
    }
    defaults.update(fields)
    return Article.objects.create(**defaults)


@pytest.fixture
def article(section, author) -> Article:
    created = make_article(section, print_edition_date=timezone.now().date())
    created.authors.add(author)
    return created


def make_comment(article: Article, *, parent: Comment | None = None, status: str = "approved",
                 text: str | None = None, name: str = "Bilal", email: str = "bilal@example.com",
                 minutes_ago: float = 30, **fields) -> Comment:
    n = next(_sequence)
    text = text or f"The pitch report said it would turn on day three ({n})."
    submitted = timezone.now() - timedelta(minutes=minutes_ago)
    return Comment.objects.create(
        article=article,
        parent=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=name,
        author_email=email,
        text=text,
        fingerprint=comment_fingerprint(article_id=article.pk, author_email=email, text=text),
        text_fingerprint=text_fingerprint(text),
        status=status,
        submitted_at=submitted,
        decided_at=submitted if status != "pending" else None,
        **fields,
    )


@pytest.fixture
def moderator(db):
    return get_user_model().objects.create_user(
        "moderator", "moderator@newsroom.example", "desk-password", is_staff=True
    )


@pytest.fixture
def reader(db):
    """A signed-up reader whose address is confirmed (as every account that may comment is)."""
    from allauth.account.models import EmailAddress

    user = get_user_model().objects.create_user("reader", "reader@example.com", "reader-password")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_reader(email: str = "amina@example.com", display_name: str = "Amina K", *,
                verified: bool = True, subscriber: bool = False, password: str = "reader-pw-12"):
    """A reader account as sign-up leaves it, its email address confirmed unless asked."""
    from allauth.account.models import EmailAddress

    from broadsheet.accounts.services import reader_display_name_set, reader_subscriber_set

    user = get_user_model().objects.create_user(
        email.split("@")[0], email, password
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    reader_display_name_set(user=user, display_name=display_name)
    if subscriber:
        reader_subscriber_set(user=user, subscriber=True)
    return user


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def faq(db) -> Page:
    # The FAQ page exists from a migration; tests set their own text.
    page, _ = Page.objects.update_or_create(
        slug="comments-faq",
        defaults={"title": "Comments FAQ", "body": "Comments are **moderated**."},
    )
    return page


def comment_payload(**overrides) -> dict:
    payload = {
        "name": "Sana Malik",
        "email": "sana@example.com",
        "text": "The groundsmen deserve credit for getting play started again.",
        "parent": "",
    }
    payload.update(overrides)
    return payload


REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def celery_on_redis(settings):
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379; start it (see .ci/run).")
    from celery.contrib.testing.worker import start_worker

    from broadsheet.celery import app

    settings.BROADSHEET_TASK_RUNNER = "celery"
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    app.conf.broker_url = REDIS_TEST_URL
    app.conf.result_backend = None
    app.conf.task_always_eager = False
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**_kwargs) -> None:
        # In the worker's thread: its connections would otherwise outlive it and keep
        # PostgreSQL from dropping the test database at the end of the run.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        task_postrun.disconnect(close_connections)
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()


class SmtpInbox:
    """The messages a real SMTP server on loopback received, parsed (email.message)."""

    def __init__(self) -> None:
        import threading

        self.messages: list = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message.envelope_recipients = list(envelope.rcpt_tos)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list:
        """The first COUNT messages, waiting (on a condition, not a sleep) for them to come."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_recipients]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on a free loopback port, with Django's SMTP backend
    pointed at it; yields its SmtpInbox."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Broadsheet <comments@broadsheet.test>"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django's SMTP backend pointed at a loopback port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_TIMEOUT = 2
    return settings.EMAIL_PORT


def migrate_to(targets: list[tuple[str, str]]):
    """Migrate the test database to TARGETS; the apps registry as of those migrations (for the
    tests of data migrations, which then migrate forward again)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest() -> None:
    """Back to the newest schema, for the tests that run after a data-migration test."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock forward without waiting: clock(timedelta(minutes=5))."""
    real_now = timezone.now
    offset = {"by": timedelta(0)}
    monkeypatch.setattr(timezone, "now", lambda: real_now() + offset["by"])

    def advance(by: timedelta) -> None:
        offset["by"] += by

    return advance
