"""Property-based fuzzing of every operation in the published OpenAPI schema.

Schemathesis sends generated requests (valid and invalid) and checks that no response is a
5xx and that each status, content type and body matches what the schema documents.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
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
