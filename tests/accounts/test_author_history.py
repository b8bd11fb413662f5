"""An author's own edit and deletion appear in the comment's history on the desk, with the
time, and never count as a moderator's decision."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import dateformat, timezone

from broadsheet.desk.selectors import desk_activity
from broadsheet.moderation.models import Decision
from broadsheet.moderation.reporting import agreement_by_reason
from broadsheet.moderation.services import comment_approve
from tests.conftest import make_comment, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina(client):
    user = make_reader()
    client.force_login(user)
    return user


@pytest.fixture
def desk(moderator) -> Client:
    staff = Client()
    staff.force_login(moderator)
    return staff


def own(article, user, status, **fields):
    return make_comment(article, status=status, user=user, name="Amina K",
                        email=user.email, **fields)


def test_an_authors_edit_is_in_the_desks_history_with_the_time(client, desk, article, amina,
                                                               moderator):
    comment = own(article, amina, "pending", text="First words.", scan_verdict="hold")
    comment_approve(comment=comment, actor=moderator)

    edited = client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Better words."})

    assert edited.status_code == 303
    entry = Decision.objects.get(comment=comment, action=Decision.Action.AUTHOR_EDIT)
    assert (entry.status_before, entry.status_after) == ("approved", "pending")
    assert (entry.text_before, entry.text_after) == ("First words.", "Better words.")
    assert entry.actor_name == "Amina K"
    page = desk.get(f"/desk/comments/{comment.pk}/")
    assert "<strong>Edited by its author</strong>" in page.text
    assert dateformat.format(timezone.localtime(entry.created_at), "j F Y, H:i:s") in page.text
    assert "amina@example.com" not in page.text.split('id="history-heading"')[1]


def test_an_authors_deletion_of_a_comment_with_replies_is_in_the_history(
    client, desk, article, amina
):
    comment = own(article, amina, "approved", text="Words I take back.")
    make_comment(article, parent=comment)

    assert client.post(f"/accounts/comments/{comment.pk}/delete/").status_code == 303

    entry = Decision.objects.get(comment=comment, action=Decision.Action.AUTHOR_DELETE)
    assert entry.text_before == "Words I take back."
    page = desk.get(f"/desk/comments/{comment.pk}/")
    assert "<strong>Deleted by its author</strong>" in page.text
    assert page.text.count('class="desk-history-entry') == 1


def test_an_authors_actions_are_not_moderators_decisions(client, article, amina, moderator):
    comment = own(article, amina, "pending", text="First words.", scan_verdict="hold")
    make_comment(article, parent=comment)
    client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Second words."})
    client.post(f"/accounts/comments/{comment.pk}/delete/")
    assert Decision.objects.filter(comment=comment).count() == 2

    assert agreement_by_reason() == {}
    assert desk_activity().decisions == []


def test_a_refused_edit_leaves_no_history(client, article, amina):
    other = make_reader("other@example.com", "Other R")
    comment = own(article, other, "pending")

    assert client.post(f"/accounts/comments/{comment.pk}/edit/",
                       {"text": "Not mine."}).status_code == 404
    assert not Decision.objects.exists()


def test_a_moderator_on_a_stale_view_is_told_the_author_changed_it(
    client, desk, article, amina, moderator
):
    comment = own(article, amina, "pending", text="First words.")
    comment_approve(comment=comment, actor=moderator)
    client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Changed meanwhile."})

    stale = desk.post(f"/desk/comments/{comment.pk}/reject/",
                      {"reason": "spam", "seen_status": "approved"}, follow=True)

    [said] = [str(message) for message in stale.context["messages"]]
    assert "was pending by its author while you were reading it" in said
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_deleting_the_account_removes_the_name_from_the_authors_history_lines(
    client, article, amina
):
    comment = own(article, amina, "pending", text="First words.")
    make_comment(article, parent=comment)
    client.post(f"/accounts/comments/{comment.pk}/edit/", {"text": "Second words."})

    from broadsheet.readers.services import reader_account_delete

    reader_account_delete(user=amina)

    entry = Decision.objects.get(comment=comment, action=Decision.Action.AUTHOR_EDIT)
    assert entry.actor_name != "Amina K" and entry.actor_id is None
    assert not entry.is_automatic
