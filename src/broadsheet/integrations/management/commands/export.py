from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from broadsheet.comments.models import Comment
from broadsheet.integrations.exporting import comment_lines


class Command(BaseCommand):
    help = "Export every comment, whatever its status, as one JSON object a line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument("--out", required=True, help="The file to write.")
        parser.add_argument(
            "--with-history", action="store_true",
            help="Include each comment's decisions (who approved, rejected or edited it, when).",
        )

    def handle(self, *args, out: str, with_history: bool, **options) -> None:
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"{out}: the folder {path.parent} does not exist.")
        partial = path.with_name(f".{path.name}.partial")
        count = 0
        show = options.get("verbosity", 1) >= 1
        total = Comment.objects.count()
        # Written beside the target and renamed at the end: an interrupted export never leaves
        # a file that looks complete.
        with partial.open("w", encoding="utf-8") as target, tqdm(
            total=total, unit=" comments", desc="Exporting", disable=None if show else True
        ) as bar:
            for line in comment_lines(with_history=with_history):
                target.write(line + "\n")
                count += 1
                bar.update(1)
        os.replace(partial, path)
        self.stdout.write(
            f"Exported {count} comment(s) to {out}" + (" with history." if with_history else ".")
        )
        self.stdout.write("The file holds commenters' email addresses: keep it private.")
