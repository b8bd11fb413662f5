"""Seed a benchmark database: migrate, then articles with N approved comments each.

Run with the benchmark's own BROADSHEET_DATA_DIR / DATABASE_URL (bench/benchlib.py does):

    python bench/seed.py --sizes 50,500 --policy auto --out seed.json

Comments are made the way the app makes them (thread_root, depth, fingerprint), in threads
with replies, and inserted with bulk_create level by level so 100,000 take seconds, not hours.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from broadsheet.articles.models import Article, Author, Section  # noqa: E402
from broadsheet.comments.models import Comment  # noqa: E402
from broadsheet.comments.services import comment_fingerprint, text_fingerprint  # noqa: E402
from broadsheet.core.models import SiteSettings  # noqa: E402
from broadsheet.core.text import render_comment_text  # noqa: E402

BENCH_COMMENTS_PER_MINUTE = 32767  # the column's PostgreSQL maximum
BATCH = 2000

NAMES = [
    "Amina Qureshi", "Bilal Khan", "Sana Malik", "Tom Hughes", "Priya Nair", "Gareth Jones",
    "Fatima Zahra", "Oliver Brown", "Chen Wei", "Maria Lopez", "Kwame Mensah", "Ella Novak",
    "Hassan Ali", "Rosa Ferreira", "Declan Byrne", "Yuki Tanaka",
]
OPENINGS = [
    "I was at the council meeting on Tuesday and", "Having read the whole piece,",
    "My father worked at the mill for thirty years, and", "Fair reporting, although",
    "As someone who commutes on that line every day,", "The figures in the third paragraph show",
    "Nobody on our street was consulted, but", "Good to see this covered at last:",
    "With respect to the previous commenter,", "I taught at that school for a decade and",
]
MIDDLES = [
    "the consultation closed before most residents had heard of it",
    "the new timetable leaves the villages with one bus an hour",
    "the budget figures do not add up once inflation is counted",
    "the second half was far better than anything we saw in the first",
    "the flooding last winter was worse than the official report admits",
    "the planning committee approved it without a site visit",
    "rents on our road have gone up by a fifth in two years",
    "the volunteers at the food bank deserve far more credit",
    "the referee missed at least two clear fouls before half-time",
    "the hospital car park is full by eight in the morning",
]
ENDINGS = [
    "and I hope the paper follows it up.", "so I would like to see the full minutes published.",
    "which matches what my neighbours have been saying.", "but the article is fair to both sides.",
    "and the photographs say more than the words do.", "so thank you for covering it properly.",
    "and the minister should answer for it.", "which is why turnout matters in May.",
]
PARAGRAPH = (
    "The council's transport committee voted on Tuesday night to cut the number of buses on "
    "the valley routes from four an hour to one, citing a shortfall of **£2.4m** in the "
    "authority's budget. Residents who packed the public gallery said they had not been "
    "consulted, and several councillors asked for the decision to be deferred until a full "
    "survey of passenger numbers had been carried out."
)


def comment_text(rng: random.Random, n: int) -> str:
    sentences = [
        f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(ENDINGS)}"
        for _ in range(rng.randint(1, 3))
    ]
    return " ".join(sentences) + f" (I have lived here {n % 60 + 2} years.)"


def plan_threads(rng: random.Random, count: int) -> list[int | None]:
    """Parent index per comment (None starts a thread); a parent always comes earlier.

    Threads hold a root and 0-7 replies, each answering an earlier comment of the same
    thread, so what one page of threads shows stays the same size however many comments the
    article has (the growth benchmark compares like with like).
    """
    parents: list[int | None] = []
    while len(parents) < count:
        root = len(parents)
        parents.append(None)
        for _ in range(min(rng.randint(0, 7), count - len(parents))):
            parents.append(rng.randrange(root, len(parents)))
    return parents


def seed_comments(article: Article, count: int, rng: random.Random) -> list[int]:
    """COUNT approved comments on ARTICLE in threads; returns the first thread roots' ids."""
    if count == 0:
        return []
    parents = plan_threads(rng, count)
    depth = [0] * count
    for i, parent in enumerate(parents):
        if parent is not None:
            depth[i] = depth[parent] + 1
    start = timezone.now() - timedelta(hours=1) - timedelta(seconds=count * 2)
    pks: list[int | None] = [None] * count
    roots: list[int | None] = [None] * count
    for level in range(max(depth) + 1):
        indices = [i for i in range(count) if depth[i] == level]
        for offset in range(0, len(indices), BATCH):
            chunk = indices[offset : offset + BATCH]
            objects = []
            for i in chunk:
                parent = parents[i]
                name = NAMES[i % len(NAMES)]
                email = f"{name.split()[0].lower()}{i % 997}@example.com"
                text = comment_text(rng, i)
                submitted = start + timedelta(seconds=i * 2)
                objects.append(
                    Comment(
                        article=article,
                        parent_id=pks[parent] if parent is not None else None,
                        thread_root_id=roots[parent] if parent is not None else None,
                        depth=level,
                        author_name=name,
                        author_email=email,
                        ip_hash=f"{i % 4096:016x}",
                        text=text,
                        text_html=render_comment_text(text),  # what Comment.save() stores
                        fingerprint=comment_fingerprint(
                            article_id=article.pk, author_email=email, text=text
                        ),
                        text_fingerprint=text_fingerprint(text),
                        status=Comment.Status.APPROVED,
                        submitted_at=submitted,
                        decided_at=submitted + timedelta(seconds=1),
                        scan_state=Comment.ScanState.SCANNED,
                        scanned_at=submitted + timedelta(seconds=1),
                        scan_verdict="approve",
                        scores={"abuse": 0.02, "spam": 0.01},
                        risk=0.02,
                    )
                )
            created = Comment.objects.bulk_create(objects)
            for i, comment in zip(chunk, created, strict=True):
                pks[i] = comment.pk
                roots[i] = roots[parents[i]] if parents[i] is not None else comment.pk
    return [pks[i] for i in range(count) if parents[i] is None][:20]  # type: ignore[misc]


def store_article_embedding(article_id: int) -> None:
    """What publishing does in the background: the relevance scanner's article vectors."""
    try:
        from broadsheet.moderation.embeddings import article_embedding_refresh

        article_embedding_refresh(article_id=article_id)
    except Exception as error:  # the embedder may be missing or mid-change in a checkout
        print(f"no article embedding for {article_id}: {type(error).__name__}: {error}",
              file=sys.stderr)


def comment_stats() -> dict:
    """Counts of status x scan_state over all comments, and how many are still unscanned."""
    from django.db.models import Count

    rows = Comment.objects.values("status", "scan_state").annotate(n=Count("id"))
    return {f"{row['status']}/{row['scan_state']}": row["n"] for row in rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="50,500", help="comments per article, comma-separated")
    parser.add_argument("--policy", default="premoderate",
                        choices=["premoderate", "auto", "postmoderate"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--stats", action="store_true",
                        help="only print the comments' status and scan-state counts as JSON")
    args = parser.parse_args()
    if args.stats:
        Path(args.out).write_text(json.dumps(comment_stats()))
        return 0

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    site = SiteSettings.load()
    site.comments_per_minute = BENCH_COMMENTS_PER_MINUTE
    site.moderation_policy = args.policy
    site.save()
    section, _ = Section.objects.get_or_create(slug="local", defaults={"name": "Local"})
    author, _ = Author.objects.get_or_create(slug="amina-qureshi",
                                             defaults={"name": "Amina Qureshi"})
    body = "\n\n".join([PARAGRAPH] * 8)
    articles = []
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    for index, size in enumerate(sizes):
        with transaction.atomic():
            article = Article.objects.create(
                headline=f"Valley bus routes cut to one an hour ({index + 1})",
                slug=f"valley-bus-routes-cut-{index + 1}",
                deck="Residents say they were not consulted as the council closes a £2.4m gap",
                section=section,
                dateline="HEBDEN BRIDGE",
                body=body,
                status=Article.Status.PUBLISHED,
                published_at=timezone.now() - timedelta(hours=2),
            )
            article.authors.add(author)
            roots = seed_comments(article, size, rng)
        store_article_embedding(article.pk)
        articles.append(
            {"id": article.pk, "comments": size, "url": article.get_absolute_url(),
             "roots": roots}
        )
        print(f"seeded article {article.pk} with {size} comments", file=sys.stderr)
    Path(args.out).write_text(json.dumps(
        {"articles": articles, "seconds": round(time.monotonic() - started, 1)}, indent=1
    ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
