"""Reading the labelled comment CSVs and the shared hash split rule."""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from broadsheet.core.spreadsheet import unguarded_cell


class Output(Protocol):
    """Where reports and progress go: a text stream, or a management command's stdout."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


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


# Other names the same columns go by in published sets (Jigsaw's comment_text and toxic,
# Civil Comments' target...). Used only when the file has no column of the normal name.
COLUMN_ALIASES = {
    "text": ("comment_text", "comment", "body", "content"),
    "label": ("toxic", "toxicity", "target", "is_toxic", "abusive", "offensive", "hateful"),
}
TRUE_LABELS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_LABELS = frozenset({"0", "false", "no", "n", "f"})


class DatasetError(ValueError):
    """A labelled CSV that cannot be read as one; the message says what to change."""


@dataclass
class Dataset:
    rows: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)


def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = exc.start
    for encoding in ("cp1252", "latin-1"):
        try:
            return raw.decode(encoding), (
                f"the file is not UTF-8 (byte {where}); read it as {encoding}"
            )
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def read_dataset(path: str | Path, split: str = "all") -> Dataset:
    """A labelled CSV as the eval command reads it: UTF-8 (with or without a byte-order mark,
    else Windows-1252), column names in any case, the usual other names of ``text`` and
    ``label`` accepted. Every adjustment is listed in the notes."""
    text, encoding_note = _decode(Path(path).read_bytes())
    notes = [encoding_note] if encoding_note else []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise DatasetError(f"{path} is empty: expected a header row such as text,label")
    names = [h.strip().lower() for h in header]
    for wanted, aliases in COLUMN_ALIASES.items():
        if wanted in names:
            continue
        alias = next((a for a in aliases if a in names), None)
        if alias is not None:
            names[names.index(alias)] = wanted
            notes.append(f"used the column {alias!r} as {wanted!r}")
    if "text" not in names:
        raise DatasetError(
            f"{path} has no text column (its columns: {', '.join(header)}); "
            "name the comment column 'text'"
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # a blank line
        # A cell written guarded against spreadsheet formulas (the desk's labels) is read as
        # the text it stands for.
        row = dict(zip(names, map(unguarded_cell, values), strict=False))
        row["_line"] = str(reader.line_num)
        rows.append(row)
    if split != "all":
        rows = [r for r in rows if split_of(r.get("text", "")) == split]
    return Dataset(rows=rows, notes=notes)


def read_rows(path: str | Path, split: str = "all") -> list[dict[str, str]]:
    """Rows of a ``text,label[,article_title,article_summary][,parent_text]`` CSV."""
    return read_dataset(path, split).rows


def label_of(value: str | None) -> int | None:
    """1 (breaks the policy), 0, or None for an empty cell. 1/0, true/false, yes/no and
    fractions (a share of annotators: 0.5 or more is 1) are understood; anything else
    raises ValueError."""
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in TRUE_LABELS:
        return 1
    if v in FALSE_LABELS:
        return 0
    number = float(v)  # ValueError for words
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{value!r} is outside 0-1")
    return int(number >= 0.5)


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
