from __future__ import annotations

import io
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from broadsheet.integrations.formats import disqus, jsonl, wordpress
from broadsheet.integrations.importing import Importer, ImportFailed

FORMATS = {
    "disqus": (disqus.read_disqus, disqus.PASSES, "disqus"),
    "wordpress": (wordpress.read_wordpress, wordpress.PASSES, "wordpress"),
    "jsonl": (jsonl.read_jsonl, jsonl.PASSES, "jsonl"),
}


class _CountingReader(io.RawIOBase):
    """A binary file that moves the progress bar as it is read."""

    def __init__(self, path: Path, bar: tqdm) -> None:
        super().__init__()
        self._file = path.open("rb", buffering=0)
        self._bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._file.readinto(buffer) or 0
        self._bar.update(count)
        return count

    def close(self) -> None:
        self._file.close()
        super().close()


def _opener(path: Path, bar: tqdm):
    return lambda: io.BufferedReader(_CountingReader(path, bar), buffer_size=1 << 16)


class Command(BaseCommand):
    help = (
        "Import comments from a Disqus XML export, a WordPress export (WXR) or Broadsheet's own "
        "JSON lines. Running it again on the same file adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("format", choices=sorted(FORMATS))
        parser.add_argument("file")
        parser.add_argument(
            "--scan", action="store_true",
            help="Queue the imported pending comments for the automatic first reader.",
        )

    def handle(self, *args, format: str, file: str, scan: bool, **options) -> None:
        read, passes, source = FORMATS[format]
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file.")
        size = os.path.getsize(path)
        show = options.get("verbosity", 1) >= 1
        with tqdm(
            total=size * passes, unit="B", unit_scale=True, desc=f"Importing {path.name}",
            disable=None if show else True,
        ) as bar:
            importer = Importer(source=source, scan=scan)
            try:
                with transaction.atomic():
                    importer.add(read(_opener(path, bar)))
                    summary = importer.finish()
            except ImportFailed as error:
                raise CommandError(f"{file}: {error} Nothing was imported.") from None
        for line in summary.lines():
            self.stdout.write(line)
