"""Reading the labelled comment CSVs and the shared hash split rule."""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SPLITS = ("train", "dev", "test")


def split_of(text: str) -> str:
    """80/10/10 split on the text, as the datasets README defines it.

    Identical texts (also across sets) land in the same split, so results stay comparable
    between everyone who uses these sets.
    """
    key = " ".join(text.lower().split())
    bucket = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) % 100
    return "train" if bucket < 80 else ("dev" if bucket < 90 else "test")


def read_rows(path: str | Path, split: str = "all") -> list[dict[str, str]]:
    """Rows of a ``text,label[,article_title,article_summary][,parent_text]`` CSV."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [dict(r) for r in csv.DictReader(fh)]
    if split != "all":
        rows = [r for r in rows if split_of(r.get("text", "")) == split]
    return rows


def discover(datasets_dir: str | Path) -> dict[str, Path]:
    """``{name: path}`` of every normalised ``<name>/<name>.csv`` under the folder."""
    root = Path(datasets_dir)
    found = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        csv_path = sub / f"{sub.name}.csv"
        if csv_path.is_file():
            found[sub.name] = csv_path
    return found


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
