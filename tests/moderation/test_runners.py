"""Scans run after commit: in a thread of this process by default, on Celery with Redis."""

from __future__ import annotations

import threading
import time

import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation import pipeline, tasks
from broadsheet.moderation.pipeline import context as pipeline_context
from tests.conftest import comment_payload
from tests.moderation.conftest import StandIn, set_policy


@pytest.fixture
def stand_in_scanners(monkeypatch, settings):
    settings.BROADSHEET_SCANNING = True
    monkeypatch.setattr(pipeline_context, "_wordlist_scanner", lambda: StandIn("wordlist", {}))
    monkeypatch.setattr(
        pipeline_context, "_model_scanners", lambda: (StandIn("abuse", {"idiot": 0.97}),)
    )


@pytest.mark.django_db(transaction=True)
def test_the_in_process_runner_scans_after_commit(client, article, stand_in_scanners, settings):
    settings.BROADSHEET_TASK_RUNNER = "thread"
    set_policy("auto")
    client.post(f"/comments/post/{article.pk}/", comment_payload(text="Lovely cover drive"))
    assert tasks.runner.wait_idle(timeout=30)
    assert Comment.objects.get().status == "approved"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_queued_when_the_post_is_rolled_back(article, stand_in_scanners, settings):
    from django.db import transaction

    from broadsheet.comments.services import comment_submit

    settings.BROADSHEET_TASK_RUNNER = "thread"
    queued = []
    settings_runner = tasks.runner.submit
    tasks.runner.submit = lambda func, *args: queued.append(args)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            comment_submit(article=article, author_name="A", author_email="a@example.com",
                           text="Never committed")
            raise RuntimeError("the request failed after the insert")
    finally:
        tasks.runner.submit = settings_runner
    assert queued == [] and Comment.objects.count() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_celery_path_scans_through_the_real_redis(
    client, article, stand_in_scanners, celery_on_redis
):
    from celery.signals import task_postrun
    from django.db import connections

    all_scanned = threading.Event()

    def check_after_each_task(**_kwargs) -> None:
        # In the worker's thread, after each task: set once nothing waits for a scan.
        if not Comment.objects.filter(scan_state__in=["unscanned", "scanning"]).exists():
            all_scanned.set()
        connections.close_all()

    task_postrun.connect(check_after_each_task, weak=False)
    try:
        set_policy("auto")
        client.post(f"/comments/post/{article.pk}/", comment_payload(text="Lovely cover drive"))
        client.post(f"/comments/post/{article.pk}/",
                    comment_payload(text="The umpire is an idiot", email="other@example.com"))
        assert all_scanned.wait(30), "the worker did not scan both comments"
    finally:
        task_postrun.disconnect(check_after_each_task)
    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses == {"Lovely cover drive": "approved", "The umpire is an idiot": "rejected"}


@pytest.mark.django_db(transaction=True)
def test_a_stopped_broker_loses_no_comment(client, article, stand_in_scanners, settings):
    from broadsheet.celery import app

    settings.BROADSHEET_TASK_RUNNER = "celery"
    settings.BROADSHEET_SCAN_SWEEP_AFTER_SECONDS = 0
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app.conf.broker_connection_retry = False
    app.conf.broker_connection_max_retries = 0
    app.conf.broker_transport_options = {"max_retries": 0}
    set_policy("auto")
    response = client.post(f"/comments/post/{article.pk}/", comment_payload(text="Still stored"))
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == "pending" and comment.scan_state == "unscanned"
    assert pipeline.sweep() == 1
    comment.refresh_from_db()
    assert comment.status == "approved"


class RecordedScans:
    """Stands in for the runner's scan job: records each batch of comment ids it is given."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    def __call__(self, comment_ids: list[int]) -> None:
        self.batches.append(list(comment_ids))


@pytest.fixture
def lingering_runner(monkeypatch, settings):
    """A runner of its own whose scans are recorded; it is stopped after the test."""
    settings.BROADSHEET_SWEEP_EVERY_SECONDS = 0
    scans = RecordedScans()
    monkeypatch.setattr(tasks, "_scan", scans)
    runner = tasks.InProcessRunner()
    yield runner, scans
    runner.stop()


def test_comments_streaming_in_wait_for_each_other_to_be_scanned_together(
    lingering_runner, monkeypatch
):
    runner, scans = lingering_runner
    # Long enough that only a full batch ends the wait, so the test does not depend on timing.
    monkeypatch.setattr(tasks, "SCAN_LINGER_SECONDS", 60)
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 60)
    monkeypatch.setattr(tasks, "SCAN_BATCH_SIZE", 2)

    runner.submit(tasks._scan, [1])
    assert runner.wait_idle(timeout=10), "the first comment of a stream waited for company"
    runner.submit(tasks._scan, [2])
    runner.submit(tasks._scan, [3])
    assert runner.wait_idle(timeout=10)
    assert scans.batches == [[1], [2, 3]]


def test_a_streaming_comment_waits_no_longer_than_the_linger(lingering_runner, monkeypatch):
    runner, scans = lingering_runner
    monkeypatch.setattr(tasks, "SCAN_LINGER_SECONDS", 0.05)
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 60)

    runner.submit(tasks._scan, [1])
    assert runner.wait_idle(timeout=10)
    runner.submit(tasks._scan, [2])  # follows closely, but nothing comes after it
    assert runner.wait_idle(timeout=10)
    assert scans.batches == [[1], [2]]


def test_comments_already_queued_join_the_batch_without_any_wait(lingering_runner, monkeypatch):
    runner, scans = lingering_runner
    monkeypatch.setattr(tasks, "SCAN_LINGER_SECONDS", 60)
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 0)  # never counts as streaming
    started = threading.Event()
    release = threading.Event()

    def first_job() -> None:
        started.set()
        release.wait(10)

    runner.submit(first_job)
    assert started.wait(10)
    for pk in (1, 2, 3):  # queued while the thread is busy
        runner.submit(tasks._scan, [pk])
    release.set()
    assert runner.wait_idle(timeout=10)
    assert scans.batches == [[1, 2, 3]]


def test_models_load_in_advance_without_touching_the_database():
    # No django_db mark: any query here would fail the test.
    pipeline.warm_up()
    assert all(scanner is not None for scanner in pipeline_context._model_scanners())


@pytest.fixture
def serving_runner(lingering_runner):
    """A runner as a serving process sets it up: scans wait for the end of a response."""
    runner, scans = lingering_runner
    runner.scan_after_responses = True
    return runner, scans


def test_a_serving_process_scans_streaming_comments_after_a_response_in_one_batch(
    serving_runner, monkeypatch
):
    runner, scans = serving_runner
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 60)
    monkeypatch.setattr(tasks, "SCAN_LINGER_SECONDS", 60)
    monkeypatch.setattr(tasks, "DEFERRED_FALLBACK_SECONDS", 60)
    monkeypatch.setattr(tasks, "SCAN_AFTER_RESPONSE_BATCH", 3)
    runner._last_scan_queued = time.monotonic()  # a stream is under way

    for pk in (1, 2):
        runner.submit(tasks._scan, [pk])
        runner.after_response()  # the post's own response ends: not enough yet
    assert scans.batches == []
    runner.submit(tasks._scan, [3])
    runner.after_response()
    assert scans.batches == [[1, 2, 3]]
    runner.after_response()  # each comment is scanned once
    assert scans.batches == [[1, 2, 3]]


def test_comments_no_response_takes_are_scanned_by_the_runners_thread(
    serving_runner, monkeypatch
):
    runner, scans = serving_runner
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 60)
    monkeypatch.setattr(tasks, "DEFERRED_FALLBACK_SECONDS", 0.05)
    runner._last_scan_queued = time.monotonic()
    # The thread is held until both comments wait, however slowly this machine runs.
    held, release = threading.Event(), threading.Event()
    runner.submit(lambda: (held.set(), release.wait(10)))
    assert held.wait(10)

    runner.submit(tasks._scan, [1])
    runner.submit(tasks._scan, [2])
    release.set()
    assert runner.wait_idle(timeout=10)
    assert scans.batches == [[1, 2]]


def test_a_lone_comment_is_scanned_at_once_by_the_runners_thread(serving_runner, monkeypatch):
    runner, scans = serving_runner
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 0)  # never counts as streaming
    monkeypatch.setattr(tasks, "DEFERRED_FALLBACK_SECONDS", 60)

    runner.submit(tasks._scan, [7])
    assert runner.wait_idle(timeout=5)
    assert scans.batches == [[7]]


def test_the_threads_fallback_never_takes_a_newer_batch(serving_runner, monkeypatch):
    runner, scans = serving_runner
    monkeypatch.setattr(tasks, "SCAN_LINGER_SECONDS", 0)  # every response takes what waits
    runner.scan_after_responses = True
    runner._defer([1], time.monotonic(), True)
    first_batch = runner._deferred_batch
    runner.after_response()
    runner._defer([2], time.monotonic(), True)
    assert runner.take_deferred(force=True, batch=first_batch) == []
    assert runner.take_deferred(force=True, batch=runner._deferred_batch) == [2]
    assert scans.batches == [[1]]


@pytest.mark.django_db(transaction=True)
def test_a_serving_process_decides_a_post_right_after_its_response(
    client, article, stand_in_scanners, settings, monkeypatch
):
    from django.core.signals import request_finished

    settings.BROADSHEET_TASK_RUNNER = "thread"
    set_policy("auto")
    monkeypatch.setattr(tasks, "SCAN_AFTER_RESPONSE_BATCH", 1)
    monkeypatch.setattr(tasks.runner, "scan_after_responses", True)
    # Comments are streaming in, so the runner's thread leaves them to the responses.
    monkeypatch.setattr(tasks, "STREAMING_GAP_SECONDS", 60)
    monkeypatch.setattr(tasks, "DEFERRED_FALLBACK_SECONDS", 1)
    monkeypatch.setattr(tasks.runner, "_last_scan_queued", time.monotonic())
    # The runner's thread is held for the whole request, so only the response can decide.
    held, release = threading.Event(), threading.Event()
    tasks.runner.submit(lambda: (held.set(), release.wait(30)))
    assert held.wait(30)
    request_finished.connect(tasks.runner.after_response, dispatch_uid="test-after-response")
    try:
        response = client.post(f"/comments/post/{article.pk}/",
                               comment_payload(text="Lovely cover drive"))
        assert response.status_code == 303
        assert Comment.objects.get().status == "approved"
    finally:
        request_finished.disconnect(dispatch_uid="test-after-response")
        release.set()
    assert tasks.runner.wait_idle(timeout=30)
