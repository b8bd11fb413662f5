"""The scan pipeline and the three policies, end to end over HTTP, with stand-in scanners.

The real scanners have their own tests; here each scanner is a stand-in whose score the test
sets, so the policy logic is checked on its own.
"""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.articles.models import Section
from broadsheet.comments.models import Comment
from broadsheet.moderation import pipeline, services
from broadsheet.moderation.models import Decision
from broadsheet.moderation.pipeline import context as pipeline_context
from broadsheet.moderation.pipeline import decide as pipeline_decide
from tests.conftest import comment_payload, make_comment
from tests.moderation.conftest import StandIn, set_policy

pytestmark = pytest.mark.django_db


class Broken:
    name = "abuse"

    def scan_batch(self, contexts):
        raise RuntimeError("model file is corrupt")


@pytest.fixture
def scanners(monkeypatch, settings):
    settings.BROADSHEET_SCANNING = True
    wordlist = StandIn("wordlist", {"darn": 1.0}, verdict="reject")
    spam = StandIn("spam", {"buy now": 0.99})
    abuse = StandIn("abuse", {"idiot": 0.97, "silly": 0.6})
    relevance = StandIn("relevance", {"mortgage": 0.95})
    monkeypatch.setattr(pipeline_context, "_wordlist_scanner", lambda: wordlist)
    monkeypatch.setattr(pipeline_context, "_model_scanners", lambda: (spam, abuse, relevance))
    return {"wordlist": wordlist, "spam": spam, "abuse": abuse, "relevance": relevance}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def post(client, article, text, committed):
    with committed(execute=True):
        response = client.post(f"/comments/post/{article.pk}/", comment_payload(text=text))
    assert response.status_code == 303
    return Comment.objects.get(text=text)


def test_premoderate_scans_but_leaves_every_comment_for_a_human(
    client, article, scanners, committed
):
    set_policy("premoderate")
    clean = post(client, article, "Fine innings from the captain", committed)
    rude = post(client, article, "What an idiot the umpire is", committed)
    for comment in (clean, rude):
        comment.refresh_from_db()
        assert comment.status == "pending" and comment.scan_state == "scanned"
    assert rude.scores["abuse"] == 0.97 and rude.scan_verdict == "reject"
    assert clean.scan_verdict == "approve"
    assert rude.reasons[0]["code"] == "abusive" and rude.reasons[0]["spans"] == [[0, 4]]


def test_auto_publishes_clean_rejects_clear_violations_and_holds_the_rest(
    client, article, scanners, committed
):
    set_policy("auto")
    clean = post(client, article, "Fine innings from the captain", committed)
    rude = post(client, article, "What an idiot the umpire is", committed)
    unsure = post(client, article, "A silly decision by the umpire", committed)
    offtopic = post(client, article, "Anyone know mortgage rates?", committed)
    spam = post(client, article, "buy now cheap bats", committed)
    for comment in (clean, rude, unsure, offtopic, spam):
        comment.refresh_from_db()
    assert clean.status == "approved"
    assert rude.status == "rejected" and rude.rejection_reason.slug == "abusive"
    assert spam.status == "rejected" and spam.rejection_reason.slug == "spam"
    assert unsure.status == "pending" and offtopic.status == "pending"
    auto = Decision.objects.get(comment=rude)
    assert auto.actor_name == "auto-moderator" and auto.scores["abuse"] == 0.97
    assert Decision.objects.get(comment=unsure).action == "hold"
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Fine innings" in page and "idiot" not in page


def test_a_banned_word_rejects_without_running_the_models(
    client, article, scanners, committed
):
    set_policy("auto")
    comment = post(client, article, "Oh darn that rain", committed)
    comment.refresh_from_db()
    assert comment.status == "rejected"
    assert "Oh darn that rain" not in scanners["abuse"].seen


def test_postmoderate_publishes_unless_a_scanner_holds(
    client, article, scanners, committed
):
    set_policy("postmoderate")
    clean = post(client, article, "Fine innings from the captain", committed)
    rude = post(client, article, "What an idiot the umpire is", committed)
    clean.refresh_from_db()
    rude.refresh_from_db()
    assert clean.status == "approved"
    assert rude.status == "pending"


def test_a_section_can_override_the_site_policy(
    client, article, scanners, committed
):
    set_policy("premoderate")
    Section.objects.filter(pk=article.section_id).update(moderation_policy="auto")
    clean = post(client, article, "Fine innings from the captain", committed)
    clean.refresh_from_db()
    assert clean.status == "approved"


def test_a_failing_scanner_leaves_the_comment_pending_and_the_sweep_rescans_it(
    client, article, scanners, monkeypatch, committed
):
    set_policy("auto")
    working = pipeline_context._model_scanners()
    monkeypatch.setattr(pipeline_context, "_model_scanners", lambda: (Broken(),))
    comment = post(client, article, "Fine innings from the captain", committed)
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.scan_state == "failed"

    monkeypatch.setattr(pipeline_context, "_model_scanners", lambda: working)
    assert pipeline.sweep() == 1
    comment.refresh_from_db()
    assert comment.status == "approved" and comment.scan_state == "scanned"


def test_the_sweep_picks_up_comments_whose_scan_was_never_queued(article, scanners, settings):
    settings.BROADSHEET_SCAN_SWEEP_AFTER_SECONDS = 0
    set_policy("auto")
    lost = make_comment(article, status="pending", text="Fine innings, lost in a crash")
    assert pipeline.sweep() == 1
    lost.refresh_from_db()
    assert lost.status == "approved"


def test_a_comment_is_scanned_into_one_decision_even_if_queued_twice(article, scanners):
    set_policy("auto")
    comment = make_comment(article, status="pending", text="What an idiot the umpire is")
    assert pipeline.scan_comments([comment.pk]) == 1
    assert pipeline.scan_comments([comment.pk]) == 0
    assert Decision.objects.filter(comment=comment).count() == 1


def test_a_moderators_decision_made_during_the_scan_stands(article, scanners, moderator):
    from broadsheet.moderation.services import comment_approve

    set_policy("auto")
    comment = make_comment(article, status="pending", text="What an idiot the umpire is")
    assert pipeline.claim([comment.pk]) == [comment.pk]
    comment_approve(comment=comment, actor=moderator)
    Comment.objects.filter(pk=comment.pk).update(scan_state="failed")
    assert pipeline.scan_comments([comment.pk]) == 0  # approved: no longer pending to scan
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_the_word_list_scanner_follows_editors_changes_without_a_restart(db):
    from broadsheet.moderation.models import WordListEntry
    from broadsheet.moderation.scanners.base import ScanContext

    def verdict(text: str) -> str | None:
        return pipeline_context._wordlist_scanner().scan_batch([ScanContext(text=text)])[0].verdict

    assert verdict("what a rotter") is None
    entry = WordListEntry.objects.create(phrase="rotter", kind="suspect")
    assert verdict("what a rotter") == "hold"
    entry.kind = "banned"
    entry.save()
    assert verdict("what a rotter") == "reject"
    entry.delete()
    assert verdict("what a rotter") is None


def test_a_celery_task_takes_the_comments_queued_behind_it_into_its_batch(article, scanners):
    from broadsheet.moderation.celery_tasks import scan_comments_task

    set_policy("auto")
    first, *behind = [
        make_comment(article, status="pending", text=f"Fair point about the buses {n}")
        for n in range(3)
    ]
    assert scan_comments_task([first.pk]) == 3
    assert scan_comments_task([behind[0].pk]) == 0  # already decided in the first batch
    assert set(Comment.objects.values_list("status", "scan_state")) == {("approved", "scanned")}
    assert Decision.objects.count() == 3


def test_a_list_changed_by_another_process_is_read_again_within_seconds(db, monkeypatch):
    from broadsheet.moderation.models import WordListEntry
    from broadsheet.moderation.scanners.base import ScanContext

    def verdict(text: str) -> str | None:
        return pipeline_context._wordlist_scanner().scan_batch([ScanContext(text=text)])[0].verdict

    assert verdict("what a rotter") is None
    # bulk_create sends no signals, as if another process had made the change.
    WordListEntry.objects.bulk_create([WordListEntry(phrase="rotter", kind="banned")])
    assert verdict("what a rotter") is None
    later = pipeline_context.time.monotonic() + pipeline_context.SETTINGS_RECHECK_SECONDS + 1
    monkeypatch.setattr(pipeline_context.time, "monotonic", lambda: later)
    assert verdict("what a rotter") == "reject"


def test_a_worker_whose_claim_was_taken_over_stores_nothing(article, scanners, monkeypatch):
    comment = make_comment(article, status="pending", text="Fine innings from the captain")
    real_run = pipeline_decide.run_scanners

    def slow_worker(contexts):
        # While this worker scans, its claim goes stale and another worker takes the comment.
        Comment.objects.filter(pk=comment.pk).update(
            scan_claimed_at=comment.submitted_at, scan_state="scanning"
        )
        return real_run(contexts)

    monkeypatch.setattr(pipeline_decide, "run_scanners", slow_worker)
    pipeline.scan_comments([comment.pk])
    comment.refresh_from_db()
    assert comment.scan_state == "scanning" and comment.scores == {}
    assert not Decision.objects.filter(comment=comment).exists()


def test_a_batch_mixing_policies_and_replies_is_decided_comment_by_comment(
    article, scanners, moderator
):
    set_policy("auto")
    other_section = Section.objects.create(name="Letters", slug="letters",
                                           moderation_policy="premoderate")
    from tests.conftest import make_article

    letters = make_article(other_section, headline="Letters to the editor")
    parent = make_comment(article, status="approved", text="Fine innings from the captain")
    reply = make_comment(article, status="pending", text="Agreed, he batted well",
                         parent=parent)
    rude = make_comment(article, status="pending", text="What an idiot the umpire is")
    held = make_comment(letters, status="pending", text="Kind words for the letters page")
    assert pipeline.scan_comments([reply.pk, rude.pk, held.pk]) == 3
    for comment in (reply, rude, held):
        comment.refresh_from_db()
    assert reply.status == "approved" and reply.scan_state == "scanned"
    assert rude.status == "rejected" and rude.scores["abuse"] == 0.97
    assert held.status == "pending" and held.scan_verdict == "approve"
    assert scanners["abuse"].seen[-3:] == [reply.text, rude.text, held.text]


def _auto_approved_decision_fields(decision: Decision) -> dict:
    return {
        field: getattr(decision, field)
        for field in ("actor_id", "actor_name", "action", "note", "status_before",
                      "status_after", "text_before", "text_after", "scores",
                      "scanner_verdict", "reason_id")
    }


def test_when_approving_a_batch_together_fails_each_comment_is_approved_on_its_own(
    article, scanners, monkeypatch
):
    set_policy("auto")
    together = [make_comment(article, status="pending", text=f"Fine innings, {n}")
                for n in range(3)]
    pipeline.scan_comments([c.pk for c in together])
    # A batch that cannot be written together falls back to one comment at a time.
    approve = services.comments_approve

    def only_one_at_a_time(*, approvals, **kwargs):
        if len(approvals) > 1:
            raise RuntimeError("the batch cannot be stored")
        return approve(approvals=approvals, **kwargs)

    monkeypatch.setattr(services, "comments_approve", only_one_at_a_time)
    apart = [make_comment(article, status="pending", text=f"Fine bowling, {n}")
             for n in range(3)]
    pipeline.scan_comments([c.pk for c in apart])

    for first, second in zip(together, apart, strict=True):
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == second.status == "approved"
        assert first.decided_at is not None and second.decided_at is not None
        a, b = Decision.objects.get(comment=first), Decision.objects.get(comment=second)
        fields_a, fields_b = _auto_approved_decision_fields(a), _auto_approved_decision_fields(b)
        assert fields_a.pop("text_before").replace("innings", "bowling") == fields_b.pop(
            "text_before")
        assert fields_a.pop("text_after").replace("innings", "bowling") == fields_b.pop(
            "text_after")
        assert fields_a == fields_b
        assert a.scores == first.scores and a.created_at is not None
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "Fine innings, 2" in page and "Fine bowling, 2" in page


def test_the_scan_and_a_moderator_write_the_same_approval(article, scanners, moderator):
    set_policy("auto")
    by_scan = make_comment(article, status="pending", text="Fine innings")
    by_moderator = make_comment(article, status="pending", text="Fine innings")
    pipeline.scan_comments([by_scan.pk])
    by_moderator.scores = {"abuse": 0.0}
    by_moderator.save(update_fields=["scores"])
    services.comment_approve(comment=by_moderator, actor=moderator,
                             note="all scores under thresholds")

    scanned = Decision.objects.get(comment=by_scan)
    decided = Decision.objects.get(comment=by_moderator)
    assert (decided.actor_name, scanned.actor_name) == ("moderator", "auto-moderator")
    for field in ("action", "note", "status_before", "status_after", "text_before",
                  "text_after", "reason_id", "trust_rule"):
        assert getattr(scanned, field) == getattr(decided, field), field
    by_scan.refresh_from_db(), by_moderator.refresh_from_db()
    assert by_scan.status == by_moderator.status == "approved"
    assert by_scan.rejection_reason_id is None and by_moderator.rejection_reason_id is None


def test_a_scan_approving_an_edited_comment_answers_the_reports_on_it(article, scanners):
    from broadsheet.comments.models import Report

    set_policy("auto")
    comment = make_comment(article, status="pending", text="Fine innings, edited")
    Report.objects.create(comment=comment, reason=Report.Reason.OFF_TOPIC, reporter_key="ip:1")
    Comment.objects.filter(pk=comment.pk).update(open_report_count=1)

    pipeline.scan_comments([comment.pk])

    comment.refresh_from_db()
    assert comment.status == "approved" and comment.open_report_count == 0
    assert Report.objects.get(comment=comment).resolution == "approved"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scanned_text", ["A fair point about the pitch", "What an idiot"])
def test_a_rejection_over_http_while_the_scanner_reads_stands(
    article, scanners, monkeypatch, scanned_text
):
    """The scanner decides (approves a clean comment, rejects an abusive one) only on a comment
    still pending when it writes: a moderator's decision in between, from another connection,
    is the one decision in the history."""
    from django.contrib.auth import get_user_model

    from broadsheet.moderation.models import RejectionReason
    from tests.concurrency import at_once

    set_policy("auto")
    RejectionReason.objects.get_or_create(slug="off-topic", defaults={"label": "Off-topic"})
    RejectionReason.objects.get_or_create(slug="abusive", defaults={"label": "Abusive"})
    desk = Client()
    desk.force_login(get_user_model().objects.create_user("bilal", "b@x.example", "pw",
                                                          is_staff=True))
    comment = make_comment(article, status="pending", text=scanned_text)
    scanning = pipeline_decide.run_scanners
    answers = []

    def scan_while_a_moderator_rejects(contexts):
        answers.extend(at_once(lambda: desk.post(
            f"/desk/comments/{comment.pk}/reject/",
            {"reason": "off-topic", "seen_status": "pending"})))
        return scanning(contexts)

    monkeypatch.setattr(pipeline_decide, "run_scanners", scan_while_a_moderator_rejects)
    pipeline.scan_comments([comment.pk])

    assert [a.status_code for a in answers] == [303]
    comment.refresh_from_db()
    assert (comment.status, comment.rejection_reason.slug) == ("rejected", "off-topic")
    assert list(Decision.objects.filter(comment=comment).values_list("actor_name", "action")) == [
        ("bilal", "reject")
    ]
