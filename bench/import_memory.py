"""Peak memory of `broadsheet import wordpress` on a large generated WXR file.

    BROADSHEET_DEV=1 .venv/bin/python bench/import_memory.py --size-mb 200

Writes a WordPress export of about SIZE-MB (posts with threaded comments), imports it into a
fresh SQLite site in a child process and prints the child's peak resident memory, the time
taken and the import's summary. The file and the site live in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Generated Weekly</title><link>https://generated.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://generated.example</wp:base_site_url>
"""
WORDS = (
    "council", "budget", "bridge", "ferry", "school", "roof", "library", "river", "market",
    "rain", "match", "season", "timetable", "footpath", "hospital", "ward", "parking",
    "licence", "festival", "harbour", "road", "works",
)


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_wxr(path: Path, size_mb: int, comments_per_post: int = 40) -> int:
    rng = random.Random(29)
    target = size_mb * 1024 * 1024
    comment_id = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        post = 0
        while out.tell() < target:
            post += 1
            out.write(
                f"<item><title>Story {post}</title>"
                f"<link>https://generated.example/{2000 + post % 20}/story-{post}/</link>"
                f"<content:encoded><![CDATA[<p>{_sentence(rng, 120)}</p>]]></content:encoded>"
                f"<wp:post_id>{post}</wp:post_id>"
                f"<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"
                f"<wp:post_type>post</wp:post_type>\n"
            )
            first = comment_id + 1
            for _ in range(comments_per_post):
                comment_id += 1
                replies = comment_id > first and rng.random() < 0.5
                parent = rng.randrange(first, comment_id) if replies else 0
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Reader {comment_id % 997}</wp:comment_author>"
                    f"<wp:comment_author_email>r{comment_id % 997}@readers.example"
                    f"</wp:comment_author_email>"
                    f"<wp:comment_date_gmt>2020-01-02 10:{comment_id % 60:02d}:00"
                    f"</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[<p>{_sentence(rng, 60)}</p>]]>"
                    f"</wp:comment_content>"
                    f"<wp:comment_approved>{rng.choice('1110')}</wp:comment_approved>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")
    return comment_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    broadsheet = Path(sys.executable).with_name("broadsheet")
    with tempfile.TemporaryDirectory() as folder:
        wxr = Path(folder) / "generated.xml"
        print(f"Writing a {args.size_mb} MB WXR file…", flush=True)
        comments = write_wxr(wxr, args.size_mb)
        print(f"{wxr.stat().st_size / 2**20:.0f} MB, {comments} comments", flush=True)
        env = {**os.environ, "BROADSHEET_DEV": "1", "BROADSHEET_DATA_DIR": folder,
               "BROADSHEET_SCANNING": "0"}
        env.pop("DATABASE_URL", None)
        subprocess.run([broadsheet, "migrate", "-v0"], env=env, check=True)
        started = time.monotonic()
        child = subprocess.Popen([broadsheet, "import", "wordpress", str(wxr)], env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        took = time.monotonic() - started
        if child.returncode:
            raise SystemExit(f"The import failed (exit {child.returncode}).")
        print(f"Import peak RSS: {usage.ru_maxrss / 1024:.0f} MB; {took:.0f} s for {comments} "
              f"comments in {wxr.stat().st_size / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
