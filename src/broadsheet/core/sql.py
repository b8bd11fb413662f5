"""Plain INSERT statements for the few hot writes where the ORM's save() costs more than the
database takes to run them (a comment's insert, the auto-moderator's decisions)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connection, models


@lru_cache(maxsize=16)
def insert_statement(
    model: type[models.Model], vendor: str, returning_id: bool = False
) -> tuple[str, tuple[models.Field, ...]]:
    """``INSERT INTO`` every concrete column but the primary key, and those fields in order.
    VENDOR keys the cache (the statement is the connection's dialect)."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    returning = (
        " RETURNING id"
        if returning_id and connection.features.can_return_columns_from_insert
        else ""
    )
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}){returning}"
    )
    return sql, fields


def insert_values(obj: models.Model, fields: tuple[models.Field, ...]) -> list[Any]:
    """OBJ's values for ``insert_statement``, prepared exactly as save() prepares an insert."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
