"""Python calls and SQL statements per article page rendered per request, in-process.

Seeds a site the way `make bench` does (bench/seed.py, a fresh data dir and, with --postgres,
a fresh database), then calls the WSGI app (`broadsheet.wsgi.application`, the stored-page
shortcut and every middleware included) with `BROADSHEET_PAGE_CACHE=0` for the article pages of
each size, and prints per page: Python calls (cProfile) and SQL statements. Both are counts, so
unlike req/s they do not move with the machine's load.

    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py                  # SQLite, 10/500/100000
    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py --sizes 500 --top 40
    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py --postgres postgres://postgres@127.0.0.1:5432/mydb

    BROADSHEET_DEV=1 .venv/bin/python bench/profile_page.py --keep /tmp/site --instructions

--postgres drops and creates the named database. --keep DIR seeds into DIR once and reuses it
on later runs (its seed.json); --top N prints the N most called functions of the last size;
--queries prints the statements of its page. --instructions adds the CPU instructions per
page under valgrind's callgrind (minutes: one process renders every page twice, then one
more per size renders that size's page INSTRUCTION_PAGES more times; the difference, divided,
is the page's), and `cpu ms/page` is the process's CPU time over 100 pages, which moves less
with the machine's load than wall time but still moves.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

REQUESTS = 20  # profiled requests per size, after two warm-ups
TIMED = 100  # requests per size timed by CPU time, unprofiled
INSTRUCTION_PAGES = 20


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
    articles = [a for a in seed["articles"] if a["comments"] in wanted]
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

    if args.replay is not None:  # under callgrind: every page twice, then SIZE's N times
        for article in articles:
            get(article["url"])
            get(article["url"])
        size, _, times = args.replay.partition(":")
        for article in articles:
            if article["comments"] == int(size):
                for _ in range(int(times)):
                    get(article["url"])
        return 0

    print(f"{'comments':>9} {'calls/page':>11} {'queries/page':>13} {'cpu ms/page':>12} "
          f"{'bytes':>7}")
    last = None
    for article in articles:
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
        started = time.process_time()
        for _ in range(TIMED):
            get(url)
        cpu_ms = (time.process_time() - started) * 1000 / TIMED
        print(f"{article['comments']:>9} {calls:>11,.0f} {len(queries):>13} {cpu_ms:>12.2f} "
              f"{len(body):>7}")
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
    parser.add_argument("--instructions", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--replay", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _measure(args)

    import benchlib as b

    data_dir, database_url = _seed(args, [int(s) for s in args.sizes.split(",")])
    env = b.Site(data_dir=data_dir, database_url=database_url).env(BROADSHEET_PAGE_CACHE="0")
    env["DJANGO_SETTINGS_MODULE"] = "broadsheet.settings"
    command = [sys.executable, __file__, "--child", *sys.argv[1:]]
    done = subprocess.run(command, env=env)
    if done.returncode or not args.instructions:
        return done.returncode
    base = _instructions(command, env, "0:0")
    print(f"{'comments':>9} {'instructions/page':>18}")
    for size in args.sizes.split(","):
        more = _instructions(command, env, f"{size}:{INSTRUCTION_PAGES}")
        print(f"{size:>9} {(more - base) / INSTRUCTION_PAGES:>18,.0f}")
    return 0


def _instructions(command: list[str], env: dict[str, str], replay: str) -> int:
    """The instructions callgrind counts for one process replaying REPLAY (SIZE:TIMES)."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out",
             *command, "--replay", replay],
            env=env, capture_output=True, text=True,
        )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or found is None:
        raise SystemExit(f"callgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


if __name__ == "__main__":
    sys.exit(main())
