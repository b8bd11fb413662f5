"""URL converters shared by every app's addresses."""

from __future__ import annotations

# The largest id a row can have (a signed 64-bit key); a larger number names nothing, and
# the database refuses to compare against it, so it must never reach a query.
MAX_ROW_ID = 2**63 - 1


class RowIdConverter:
    """A positive whole number that can be a row's id; any other number is a 404."""

    regex = "[0-9]{1,20}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ROW_ID:
            raise ValueError("no row has this id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
