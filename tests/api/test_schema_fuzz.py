"""Property-based fuzzing of every operation in the published OpenAPI schema.

Schemathesis sends generated requests (valid and invalid) and checks that no response is a
5xx and that each status, content type and body matches what the schema documents.
"""

from __future__ import annotations

import base64
import string
from datetime import UTC, datetime, timedelta, timezone

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from broadsheet.core.models import SiteSettings
from tests.api.conftest import bearer
from tests.conftest import make_comment

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Calling the WSGI app directly fires request_finished, which would close the connection
    # holding the test's transaction; Django's own test client unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def some_comments(article):
    # Low ids, so generated ids sometimes hit real rows and not only 404s.
    root = make_comment(article)
    make_comment(article, parent=root)
    make_comment(article, status="pending")
    site = SiteSettings.load()
    site.comments_per_minute = 1000
    site.save()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_breaks_the_api_or_its_schema(case, some_comments, moderator):
    # The schema types the fields; the rules the site's forms apply (a name that is not blank,
    # a well-formed email, a cursor this server issued) answer 400 to schema-valid input on
    # purpose, so "every schema-valid request is accepted" does not hold for this API.
    case.call_and_validate(
        headers=bearer(moderator), excluded_checks=[positive_data_acceptance]
    )


# Requests the generated cases above never produced, which once answered 500: each must be
# refused as bad input. They stay here so the fuzzing's reach is read in one place.
def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", [
    _cursor("9999-12-31T23:59:59-14:00|1"),
    _cursor(f"2026-01-01T00:00:00+00:00|{2**70}"),
])
def test_a_cursor_naming_an_impossible_time_or_id_is_refused(client, article, cursor):
    response = client.get(f"/api/v1/articles/{article.pk}/comments", {"cursor": cursor})

    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "body"), [
    ("/articles/{article}/comments", {"name": "\ud800", "email": "a@example.com", "text": "Hi"}),
    ("/articles/{article}/comments", {"name": "Sana", "email": "a@example.com", "text": "\ud800"}),
    ("/comments/{comment}/reports", {"reason": "spam", "note": "\ud800"}),
    ("/moderation/comments/{comment}/edit-approve", {"text": "\ud800"}),
])
def test_a_lone_surrogate_in_a_body_is_refused(client, article, moderator, path, body):
    comment = make_comment(article)

    response = client.post(
        "/api/v1" + path.format(article=article.pk, comment=comment.pk), body,
        content_type="application/json", **bearer(moderator),
    )

    assert response.status_code == 400


_any_time = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=14))]),
)
_any_cursor = st.one_of(
    st.builds(lambda when, pk: _cursor(f"{when.isoformat()}|{pk}"), _any_time, st.integers()),
    st.builds(lambda raw: _cursor(raw), st.text(max_size=60)),
    st.text(alphabet=string.ascii_letters + string.digits + "-_=", max_size=80),
)


@pytest.mark.django_db
@given(cursor=_any_cursor)
@settings(
    max_examples=60, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_no_cursor_breaks_the_page_or_the_api(client, article, cursor):
    page = client.get(article.get_absolute_url(), {"after": cursor})
    api = client.get(f"/api/v1/articles/{article.pk}/comments", {"cursor": cursor})

    assert page.status_code == 200
    assert api.status_code in (200, 400)
