"""A bare WSGI app returning a ready 67 KB body: the machine's ceiling for calibration.

bench/run.py serves it with the same gunicorn settings as Broadsheet before the runs, so a
busy machine shows up as a low calibration number next to the earlier ~4,100 req/s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

BODY = (b"<p>" + b"x" * 96 + b"</p>\n") * 660  # 67,320 bytes


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(BODY)))])
    return [BODY]
