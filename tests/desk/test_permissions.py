"""The desk is for staff: visitors are sent to sign in, readers are refused, nothing changes."""

from __future__ import annotations

import pytest

from broadsheet.comments.models import Comment
from broadsheet.moderation.models import Ban, Decision
from tests.conftest import make_comment
from tests.desk.conftest import HTMX


@pytest.fixture
def targets(article, moderator) -> dict[str, int]:
    comment = make_comment(article, status="pending", open_report_count=1)
    ban = Ban.objects.create(email="troll@example.com", created_by=moderator)
    return {"comment": comment.pk, "ban": ban.pk}


DESK_PAGES = [
    "/desk/",
    "/desk/pending/",
    "/desk/reported/",
    "/desk/approved/",
    "/desk/rejected/",
    "/desk/arrivals/?queue=pending&after=0&insert=1",
    "/desk/bans/",
    "/desk/activity/",
    "/desk/activity/labels.csv",
    "/desk/comments/{comment}/",
    "/desk/comments/{comment}/item/",
    "/desk/comments/{comment}/edit/",
    "/desk/comments/{comment}/ban/",
]

DESK_ACTIONS = [
    ("/desk/comments/{comment}/approve/", {}),
    ("/desk/comments/{comment}/reject/", {"reason": "abusive"}),
    ("/desk/comments/{comment}/edit/", {"text": "Rewritten"}),
    ("/desk/comments/{comment}/dismiss-reports/", {}),
    ("/desk/comments/{comment}/ban/", {"target": "email"}),
    ("/desk/bulk/", {"ids": ["{comment}"], "decision": "approve"}),
    ("/desk/bans/{ban}/lift/", {}),
]


def _fill(template: str, targets: dict[str, int]) -> str:
    return template.format(**targets)


def _assert_nothing_changed(targets: dict[str, int]) -> None:
    comment = Comment.objects.get(pk=targets["comment"])
    assert (comment.status, comment.open_report_count) == ("pending", 1)
    assert comment.text != "Rewritten"
    assert not Decision.objects.exists()
    assert Ban.objects.filter(lifted_at__isnull=True).count() == 1


@pytest.mark.parametrize("url", DESK_PAGES)
def test_it_sends_an_anonymous_visitor_to_sign_in(client, targets, url):
    response = client.get(_fill(url, targets))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/desk/")


@pytest.mark.parametrize("url", DESK_PAGES)
def test_it_refuses_a_signed_in_reader_with_the_not_allowed_page(client, reader, targets, url):
    client.force_login(reader)

    response = client.get(_fill(url, targets))

    assert response.status_code == 403
    assert b"Not allowed" in response.content


@pytest.mark.parametrize(("url", "data"), DESK_ACTIONS)
def test_it_refuses_actions_from_anonymous_visitors(client, targets, url, data):
    payload = {k: [_fill(v, targets) for v in vs] if isinstance(vs, list) else vs
               for k, vs in data.items()}

    response = client.post(_fill(url, targets), payload)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    _assert_nothing_changed(targets)


@pytest.mark.parametrize(("url", "data"), DESK_ACTIONS)
def test_it_refuses_actions_from_readers(client, reader, targets, url, data):
    client.force_login(reader)
    payload = {k: [_fill(v, targets) for v in vs] if isinstance(vs, list) else vs
               for k, vs in data.items()}

    response = client.post(_fill(url, targets), payload)

    assert response.status_code == 403
    assert b"Not allowed" in response.content
    _assert_nothing_changed(targets)


@pytest.mark.parametrize(("url", "data"), DESK_ACTIONS)
def test_it_sends_an_expired_htmx_session_to_sign_in_as_a_whole_page(client, targets, url, data):
    response = client.post(
        _fill(url, targets), {}, headers={**HTMX, "HX-Current-URL": "http://testserver/desk/?sort=newest"}
    )

    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fdesk%2F%3Fsort%3Dnewest"
    _assert_nothing_changed(targets)


def test_it_requires_the_csrf_token_for_actions(article, moderator, targets):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)

    response = strict.post(f"/desk/comments/{targets['comment']}/approve/")

    assert response.status_code == 403
    _assert_nothing_changed(targets)
