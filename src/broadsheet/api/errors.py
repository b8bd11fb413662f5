"""One error shape for every failure: {"errors": [{"field", "message", "code"}]}.

Clients branch on `field` (a request field name, or "__all__" for the request as a whole) and
on `code`; `message` is written for a reader and may change wording.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

# Django's own logger for failed requests, so API 500s reach the same handlers as the site's.
logger = logging.getLogger("django.request")

WHOLE_REQUEST = "__all__"
NOT_JSON_MESSAGE = "Send the body as JSON, with Content-Type: application/json."
# What ninja says, whatever the cause, when the body parser refuses a request.
_NINJA_BODY_ERROR = "Cannot parse request body"

# Where pydantic puts a problem ("body", "query"...) and the names of the endpoint arguments
# that hold a whole body or query model; neither is a field the client sent.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
_CONTAINER_ARGUMENTS = {"payload", "filters"}


class ApiError(Exception):
    """A refusal the client can act on, raised anywhere below an endpoint."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str = WHOLE_REQUEST,
        code: str = "invalid",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [error_item(field, message, code)]
        self.headers = headers or {}

    @classmethod
    def from_items(cls, status: int, errors: list[dict[str, str]]) -> ApiError:
        error = cls(status, errors[0]["message"] if errors else "The request was refused.")
        error.errors = errors
        return error


def error_item(field: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"field": field, "message": message, "code": code}


def form_errors(form: forms.Form, *, renames: dict[str, str] | None = None) -> list[dict[str, str]]:
    """A bound form's errors in the API's shape; RENAMES maps form field names to API names."""
    renames = renames or {}
    return [
        error_item(renames.get(name, name), error["message"], error.get("code") or "invalid")
        for name, errors in form.errors.get_json_data().items()
        for error in errors
    ]


def _pydantic_field(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if isinstance(part, str)]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in _CONTAINER_ARGUMENTS:
        parts = parts[1:]
    return ".".join(parts) or WHOLE_REQUEST


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's defaults: 400 instead of 422, and no traceback even with DEBUG on."""

    def respond(request: HttpRequest, status: int, errors: list[dict[str, str]]) -> HttpResponse:
        return api.create_response(request, {"errors": errors}, status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = respond(request, exc.status, exc.errors)
        for name, value in exc.headers.items():
            response[name] = value
        if exc.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="broadsheet-api"'
        return response

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            error_item(_pydantic_field(tuple(e.get("loc", ()))), e.get("msg", "Invalid."),
                       e.get("type", "invalid"))
            for e in exc.errors
        ]
        return respond(request, 400, errors)

    def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return on_api_error(request, ApiError(
            401, "Send a staff API token as 'Authorization: Bearer <token>'.",
            code="not_authenticated",
        ))

    def on_authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return on_api_error(request, ApiError(403, str(exc), code="forbidden"))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if str(exc).startswith(_NINJA_BODY_ERROR):
            return respond(request, 400, [error_item(WHOLE_REQUEST, NOT_JSON_MESSAGE, "bad_body")])
        return respond(request, exc.status_code, [error_item(WHOLE_REQUEST, str(exc))])

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, [error_item(
            WHOLE_REQUEST, "The request body is too large.", "too_large"
        )])

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) or "Not found."
        return respond(request, 404, [error_item(WHOLE_REQUEST, message, "not_found")])

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged with its traceback for us; the client learns only that it was our fault.
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return respond(request, 500, [error_item(
            WHOLE_REQUEST,
            "Something went wrong on our side. Try again in a minute.",
            "server_error",
        )])

    # ninja types a handler's second argument as "the exception or its class", though it only
    # ever passes the exception; each handler above takes its own class, so the table is Any.
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (ApiError, on_api_error),
        (ValidationError, on_validation_error),
        (AuthenticationError, on_authentication_error),
        (AuthorizationError, on_authorization_error),
        (HttpError, on_http_error),
        (Http404, on_not_found),
        (RequestDataTooBig, on_too_big),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
