"""The generated OpenAPI document and the interactive docs page."""

from __future__ import annotations

from typing import get_args

import pytest

from broadsheet.api.schemas import CommentStatus
from broadsheet.comments.models import Comment
from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_endpoint_with_short_operation_ids(client):
    schema = get_json(client, "/openapi.json").json()

    operations = {
        (method.upper(), path): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert operations == {
        ("GET", "/api/v1/articles/{article_id}/comments"): "article_comments",
        ("POST", "/api/v1/articles/{article_id}/comments"): "comment_post",
        ("GET", "/api/v1/comment-counts"): "comment_counts",
        ("GET", "/api/v1/comments/{comment_id}"): "comment_detail",
        ("GET", "/api/v1/comments/{comment_id}/status"): "comment_status",
        ("POST", "/api/v1/comments/{comment_id}/reports"): "comment_report",
        ("GET", "/api/v1/moderation/queues/{queue}"): "moderation_queue",
        ("POST", "/api/v1/moderation/comments/{comment_id}/approve"): "moderation_approve",
        ("POST", "/api/v1/moderation/comments/{comment_id}/reject"): "moderation_reject",
        ("POST", "/api/v1/moderation/comments/{comment_id}/edit-approve"):
            "moderation_edit_approve",
        ("POST", "/api/v1/moderation/bans"): "moderation_ban",
    }


def test_the_schema_documents_the_error_shape_and_the_bearer_token(client):
    schema = get_json(client, "/openapi.json").json()

    post = schema["paths"]["/api/v1/articles/{article_id}/comments"]["post"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    assert schema["components"]["securitySchemes"]["StaffToken"]["scheme"] == "bearer"
    public = schema["components"]["schemas"]["PublicComment"]["properties"]
    assert "author_email" not in public and "ip_hash" not in public


def test_the_interactive_docs_page_loads(client):
    response = get_json(client, "/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_the_apis_comment_statuses_are_the_models():
    # api_status hands Comment.status on as CommentStatus: the two must name the same values.
    assert set(get_args(CommentStatus)) == set(Comment.Status.values)
