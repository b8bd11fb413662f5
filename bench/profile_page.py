"""Python calls and SQL statements per article page rendered per request, in-process.

Seeds a site the way `make bench` does (bench/seed.py, a fresh data dir and, with --postgres,
a fresh database), then calls the WSGI app (`broadsheet.wsgi.application`, the stored-page
shortcut and every middleware included) with `BROADSHEET_PAGE_CACHE=0` for the article pages of
each size, and prints per page: Python calls (cProfile) and SQL statements. Both are counts, so
unlike req/s they do not move with the machine's load.

    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py                  # SQLite, 10/500/100000
    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py --sizes 500 --top 40
    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py --postgres postgres://postgres@127.0.0.1:5432/mydb

--postgres drops and creates the named database. --keep DIR seeds into DIR once and reuses it
on later runs (its seed.json); --top N prints the N functions with the most own time calls
of the largest size; --queries prints the statements of one page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

REQUESTS = 20  # profiled requests per size, after two warm-ups


def _seed(args: argparse.Namespace, sizes: list[int]) -> tuple[Path, str | None]:
    import benchlib as b

    database_url = None
    if args.postgres:
        name = urllib.parse.urlparse(args.postgres).path.lstrip("/")
        for command in (["dropdb", "--if-exists"], ["createdb"]):
            subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        database_url = args.postgres
    data_dir = Path(args.keep) if args.keep else None
    if data_dir is not None and (data_dir / "seed.json").exists() and not args.postgres:
        return data_dir, None
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    site = b.seed_site(sizes=sizes, database_url=database_url, data_dir=data_dir)
    return site.data_dir, database_url


def _measure(args: argparse.Namespace) -> int:
    """In the child process, with the benchmark's environment: profile the pages."""
    import cProfile
    import pstats
    from wsgiref.util import setup_testing_defaults

    from django.db import connection

    from broadsheet.wsgi import application

    seed = json.loads((Path(os.environ["BROADSHEET_DATA_DIR"]) / "seed.json").read_text())
    wanted = {int(s) for s in args.sizes.split(",")}
    statements: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    def get(path: str) -> bytes:
        environ: dict = {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1"}
        setup_testing_defaults(environ)
        status: list[str] = []
        body = b"".join(application(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")
        return body

    print(f"{'comments':>9} {'calls/page':>11} {'queries/page':>13} {'bytes':>7}")
    last = None
    for article in seed["articles"]:
        if article["comments"] not in wanted:
            continue
        url = article["url"]
        get(url)
        get(url)
        statements.clear()
        with connection.execute_wrapper(record):
            body = get(url)
        queries = list(statements)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(REQUESTS):
            get(url)
        profile.disable()
        stats = pstats.Stats(profile)
        calls = stats.total_calls / REQUESTS  # type: ignore[attr-defined]
        print(f"{article['comments']:>9} {calls:>11,.0f} {len(queries):>13} {len(body):>7}")
        last = (stats, queries)
    if last is not None and args.queries:
        for sql in last[1]:
            print("  ", sql[:300])
    if last is not None and args.top:
        last[0].sort_stats("calls").print_stats(args.top)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,500,100000")
    parser.add_argument("--postgres", help="a DATABASE_URL whose database may be recreated")
    parser.add_argument("--keep", help="a data dir to seed once and reuse (SQLite)")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _measure(args)

    import benchlib as b

    data_dir, database_url = _seed(args, [int(s) for s in args.sizes.split(",")])
    env = b.Site(data_dir=data_dir, database_url=database_url).env(BROADSHEET_PAGE_CACHE="0")
    env["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
