"""What one comment post costs, counted rather than timed: Python calls (cProfile) and SQL
statements per form POST, per API POST and per comment scanned, on a seeded SQLite site.

    BROADSHEET_DEV=1 .venv/bin/python bench/profile_post.py [--posts 200] [--batch 8]

It seeds a fresh data dir with bench/seed.py (the post benchmark's 20-comment article), then
calls the served WSGI application (bench's stored-page shortcut and every middleware) in this
process with the requests wrk sends: the comment form with a CSRF cookie and field, one in
three a reply, and the API's JSON; every comment has its own text and email. The comments are
then scanned as a serving process scans them after its responses (the in-process runner's
deferred batches, BATCH at a time). Call counts do not move with the machine's load, unlike
CPU time; use them to compare code. Under `valgrind --tool=callgrind` it gives instructions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib as b  # noqa: E402

ARTICLE = 20


class Counter:
    """Python calls and SQL statements over the calls made in `with counter:` blocks."""

    def __init__(self, profile: bool) -> None:
        self.profile = cProfile.Profile() if profile else None
        self.statements = 0
        self.cpu = 0.0

    def _count(self, execute, sql, params, many, context):  # a connection execute_wrapper
        self.statements += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> Counter:
        from django.db import connection

        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        self._started = time.process_time()
        if self.profile:
            self.profile.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profile:
            self.profile.disable()
        self.cpu += time.process_time() - self._started
        self._wrapper.__exit__(*exc)

    def calls(self) -> int:
        if not self.profile:
            return 0
        return pstats.Stats(self.profile, stream=io.StringIO()).total_calls  # type: ignore[attr-defined]

    def top(self, n: int) -> str:
        out = io.StringIO()
        if self.profile:
            pstats.Stats(self.profile, stream=out).sort_stats("tottime").print_stats(n)
        return out.getvalue()


def wsgi_call(app, method: str, path: str, body: bytes = b"", headers: dict | None = None,
              remote: str = "127.0.0.1") -> tuple[str, list[tuple[str, str]], bytes]:
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote, "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    answer: dict = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"], answer["headers"] = status, response_headers

    result = app(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()  # request_finished, as a WSGI server sends it
    return answer["status"], answer["headers"], content


def comment(n: int) -> tuple[str, str, str]:
    text = (f"Having read the whole piece, the consultation closed before anyone noticed, "
            f"so I would like to see the full minutes. I have lived here {n % 97 + 2} years "
            f"(note {n}).")
    return f"Reader {n}", f"reader{n}@example.com", text


def form_request(n: int, path: str, token: str, parents: list[int]) -> tuple[bytes, dict]:
    name, email, text = comment(n)
    parent = str(parents[n % len(parents)]) if parents and n % 3 == 0 else ""
    body = urlencode({"csrfmiddlewaretoken": token, "name": name, "email": email,
                      "text": text, "parent": parent}).encode()
    return body, {"Content-Type": "application/x-www-form-urlencoded",
                  "Cookie": f"csrftoken={token}"}


def api_request(n: int) -> tuple[bytes, dict]:
    name, email, text = comment(n)
    return (json.dumps({"name": name, "email": email, "text": text}).encode(),
            {"Content-Type": "application/json"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200, help="posts of each kind measured")
    parser.add_argument("--batch", type=int, default=8, help="comments per scan batch")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--no-profile", action="store_true",
                        help="no cProfile (for callgrind or CPU time): statements only")
    parser.add_argument("--data-dir", help="reuse a data dir this script seeded before")
    args = parser.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else None
    if data_dir and (data_dir / "seed.json").exists():
        site = b.Site(data_dir=data_dir, database_url=None,
                      seed=json.loads((data_dir / "seed.json").read_text()))
    else:
        site = b.seed_site(sizes=[ARTICLE], data_dir=data_dir)
    os.environ.update(site.env(BROADSHEET_TASK_RUNNER="thread"))
    os.environ.pop("DATABASE_URL", None)

    from broadsheet.moderation.tasks import runner
    from broadsheet.wsgi import application

    # Comments wait for scanning as in a serving process, but no thread takes them: this
    # script scans them itself, measured on their own.
    runner.scan_after_responses = True
    runner._ensure_started = lambda: None  # type: ignore[method-assign]
    from broadsheet.moderation.pipeline import scan_comments

    article = site.article(ARTICLE)
    status, headers, _ = wsgi_call(application, "GET", article["url"])
    token = next(v.strip().split(";", 1)[0].split("=", 1)[1] for k, v in headers
                 if k == "Set-Cookie" and v.strip().startswith("csrftoken="))
    form_path = f"/comments/post/{article['id']}/"
    api_path = f"/api/v1/articles/{article['id']}/comments"
    parents = article["roots"][:10]
    profile = not args.no_profile

    def drive(kind: str, first: int, count: int, counter: Counter | None) -> dict:
        statuses: dict[str, int] = {}
        size = 0
        for n in range(first, first + count):
            if kind == "form":
                body, request_headers = form_request(n, form_path, token, parents)
                path = form_path
            else:
                body, request_headers = api_request(n)
                path = api_path
            if counter is not None:
                with counter:
                    status, headers, content = wsgi_call(application, "POST", path, body,
                                                         request_headers)
            else:
                status, headers, content = wsgi_call(application, "POST", path, body,
                                                     request_headers)
            statuses[status] = statuses.get(status, 0) + 1
            size = len(content) + sum(len(k) + len(v) + 4 for k, v in headers)
        return {"statuses": statuses, "response_bytes": size}

    def scan(counter: Counter | None) -> int:
        ids = runner.take_deferred(force=True)
        for start in range(0, len(ids), args.batch):
            batch = ids[start : start + args.batch]
            if counter is not None:
                with counter:
                    scan_comments(batch)
            else:
                scan_comments(batch)
        return len(ids)

    report: dict = {"posts": args.posts, "scan_batch": args.batch}
    # Posts are numbered on from the last run's in a reused data dir: the same text and email
    # again would be a double submit, answered with the first comment and nothing stored.
    serial_file = site.data_dir / "profile_post_serial"
    serial = int(serial_file.read_text()) if serial_file.exists() else 1
    for kind in ("form", "api"):
        # A warm-up (first requests load templates, URL patterns, the scanners' models).
        drive(kind, serial, 20, None)
        serial += 20
        scan(None)
        request_counter, scan_counter = Counter(profile), Counter(profile)
        seen = drive(kind, serial, args.posts, request_counter)
        serial += args.posts
        scanned = scan(scan_counter)
        report[kind] = {
            **seen,
            "calls_per_post": round(request_counter.calls() / args.posts),
            "statements_per_post": round(request_counter.statements / args.posts, 2),
            "cpu_ms_per_post": round(request_counter.cpu * 1000 / args.posts, 2),
            "scanned": scanned,
            "scan_calls_per_comment": round(scan_counter.calls() / max(1, scanned)),
            "scan_statements_per_comment": round(scan_counter.statements / max(1, scanned), 2),
            "scan_cpu_ms_per_comment": round(scan_counter.cpu * 1000 / max(1, scanned), 2),
        }
        serial_file.write_text(str(serial))
        if args.top:
            print(f"== {kind} POST: top {args.top} by own time ==\n{request_counter.top(args.top)}")
            print(f"== scan after {kind} POSTs ==\n{scan_counter.top(args.top)}")
    for kind in ("form", "api"):
        row = report[kind]
        print(f"{kind} POST: {row['calls_per_post']:,} calls, {row['statements_per_post']} SQL "
              f"statements, {row['response_bytes']} response bytes, {row['statuses']}; scan "
              f"{row['scan_calls_per_comment']:,} calls, {row['scan_statements_per_comment']} "
              f"statements per comment (batches of {args.batch}); with its scan "
              f"{row['calls_per_post'] + row['scan_calls_per_comment']:,} calls")
    print("BENCH_JSON " + json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
