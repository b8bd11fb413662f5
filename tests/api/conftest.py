"""Helpers for calling the API the way a client on another site would."""

from __future__ import annotations

import pytest

from broadsheet.api.auth import staff_token_create

API = "/api/v1"


def post_json(client, path: str, data: dict, **headers):
    return client.post(f"{API}{path}", data, content_type="application/json", **headers)


def get_json(client, path: str, **kwargs):
    return client.get(f"{API}{path}", **kwargs)


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {staff_token_create(user=user)}"}


@pytest.fixture
def staff_headers(moderator) -> dict[str, str]:
    return bearer(moderator)
