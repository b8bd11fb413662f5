"""Version 1 of the public API, mounted at /api/v1/ (schema: openapi.json, docs: docs).

CSRF: the API never reads the session cookie. Public posts and reports are anonymous, linked
to no account even when the browser is logged in, and moderation accepts only a Bearer token
that a browser never attaches by itself. With no ambient credentials there is nothing for a
forged cross-site request to borrow, so no CSRF token is asked for; this is what lets pages on
the newsroom's other sites post comments through CORS. Anyone adding a cookie-authenticated
operation must give it ninja's `APIKeyCookie`/`django_auth`, which checks CSRF.

Bodies must be sent as application/json. A browser cannot send that cross-site without a CORS
preflight, so a page on an unlisted site cannot make its visitors' browsers post comments
(and spend their addresses' rate limit) with a plain HTML form.
"""

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.operation import Operation
from ninja.parser import Parser

from broadsheet.api import comments, moderation
from broadsheet.api.errors import NOT_JSON_MESSAGE, install_error_handlers


class JSONOnlyParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        if request.content_type != "application/json":
            raise ValueError(NOT_JSON_MESSAGE)
        return super().parse_body(request)


class BroadsheetAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short ids ("comment_post") make readable method names in generated clients.
        return operation.view_func.__name__


api = BroadsheetAPI(
    parser=JSONOnlyParser(),
    title="Broadsheet API",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Read approved reader comments, post comments for moderation and follow them, "
        "and (with a staff token) moderate. Errors always look like "
        '{"errors": [{"field": ..., "message": ..., "code": ...}]}.'
    ),
)
install_error_handlers(api)
api.add_router("/", comments.router)
api.add_router("/moderation", moderation.router)
