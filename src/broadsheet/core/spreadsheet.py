"""CSV files a person may open in a spreadsheet, written so no cell runs as a formula.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula, so a reader's comment beginning ``=HYPERLINK(...)`` would run
on the moderator's machine. Such cells are written with a leading apostrophe, which
spreadsheets show as text. Cells that already start with apostrophes before such a character
get one more, so ``unguarded_cell`` gives back exactly what was written, for the files the
project reads itself (labels for ``moderation eval`` and ``train --with``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guarded_cell(value: Any) -> Any:
    """VALUE as a cell a spreadsheet shows as text; numbers and other values as they are."""
    if isinstance(value, str) and value.lstrip(GUARD).startswith(FORMULA_STARTS):
        return GUARD + value
    return value


def unguarded_cell(value: str) -> str:
    """The text guarded_cell was given, from the cell it wrote."""
    if value.startswith(GUARD) and value[1:].lstrip(GUARD).startswith(FORMULA_STARTS):
        return value[1:]
    return value


class TextSink(Protocol):
    """Anything text is written to: a file, a response, a command's output."""

    def write(self, text: str, /) -> object: ...


class GuardedWriter:
    """csv.writer with every text cell passed through guarded_cell."""

    def __init__(self, handle: TextSink, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([guarded_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
