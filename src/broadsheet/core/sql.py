"""Plain INSERT and UPDATE statements for the few hot writes where the ORM costs more than the
database takes to run them (a comment's insert, the decisions on comments and their history).
The scan decides batches that are often a single comment: there the ORM's conditional
``update()`` took several times the statement it runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Field classes whose pre_save is a plain attribute read and whose database preparation does
# not depend on the value beyond its type: for them a probe tells whether a str, an int or a
# bool comes back unchanged on this connection (on PostgreSQL psycopg wraps ints, so those
# take the full path there).
_PLAIN_FIELD_TYPES: dict[type[models.Field], tuple[object, ...]] = {
    models.CharField: ("probe",), models.EmailField: ("probe",), models.SlugField: ("probe",),
    models.TextField: ("probe",),
    models.SmallIntegerField: (7,), models.IntegerField: (7,), models.BigIntegerField: (7,),
    models.PositiveSmallIntegerField: (7,), models.PositiveIntegerField: (7,),
    models.BooleanField: (True,),
    models.ForeignKey: (7,),
}


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


# A field's step: the field, its attribute, whether pre_save is a plain read of that attribute,
# and the value types that go to the database as they are.
_Step = tuple[models.Field, str, bool, frozenset[type]]

# The plan of each insert_statement's fields, by the identity of that (cached) tuple and the
# vendor: as an lru_cache key the tuple of twenty-odd fields was hashed field by field on every
# insert.
_plans: dict[tuple[int, str], tuple[tuple[models.Field, ...], tuple[_Step, ...]]] = {}


def _reads_attribute(field: models.Field) -> bool:
    """Whether FIELD's pre_save on an insert just returns the attribute's value."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return type(field).pre_save in (
        models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save
    )


def _insert_plan(
    fields: tuple[models.Field, ...], vendor: str, db: BaseDatabaseWrapper
) -> tuple[_Step, ...]:
    """For each field: its attribute and the value types that go to the database as they are.
    The comment insert has twenty-odd fields, and Django's per-field preparation chain was a
    fifth of a post's time."""
    found = _plans.get((id(fields), vendor))
    if found is not None and found[0] is fields:
        return found[1]
    plan = []
    for field in fields:
        unchanged: set[type] = set()
        for sample in _PLAIN_FIELD_TYPES.get(type(field), ()):
            if field.get_db_prep_save(sample, db) is sample:
                unchanged.add(type(sample))
        # An empty nullable column (a comment's decision time, its risk before a scan) is
        # NULL as it is, whatever the field's type.
        if field.null and field.get_db_prep_save(None, db) is None:
            unchanged.add(type(None))
        plan.append((field, field.attname, _reads_attribute(field), frozenset(unchanged)))
    _plans[(id(fields), vendor)] = (fields, tuple(plan))
    return tuple(plan)


def insert_values(obj: models.Model, fields: tuple[models.Field, ...]) -> list[Any]:
    """OBJ's values for ``insert_statement``, prepared exactly as save() prepares an insert."""
    # The connection itself rather than django.db.connection's proxy, which looks it up again
    # for every attribute a field's preparation reads.
    db = connections[DEFAULT_DB_ALIAS]
    values = []
    for field, attname, reads, unchanged in _insert_plan(fields, db.vendor, db):
        value = getattr(obj, attname) if reads else field.pre_save(obj, True)
        if type(value) not in unchanged:
            value = field.get_db_prep_save(value, db)
        values.append(value)
    return values


@lru_cache(maxsize=64)
def _update_sql(
    vendor: str, table: str, set_columns: tuple[str, ...], where_columns: tuple[str, ...],
    count: int,
) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in set_columns)
    conditions = "".join(f" AND {quote(column)} = %s" for column in where_columns)
    return (
        f"UPDATE {quote(table)} SET {assignments} "
        f"WHERE {quote('id')} IN ({', '.join(['%s'] * count)}){conditions}"
    )


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """MODEL's field NAME, which must be a column of its table."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column.")
    return field


def update_rows(
    model: type[models.Model], ids: Sequence[int], values: Mapping[str, Any],
    where: Mapping[str, Any],
) -> int:
    """``UPDATE`` MODEL's rows IDS that match WHERE (field name: value) to VALUES (field name:
    value, prepared as save() prepares them); the number of rows changed. A conditional update,
    so a caller tells from the count whether another writer got there first."""
    if not ids:
        return 0
    set_fields = [concrete_field(model, name) for name in values]
    where_fields = [concrete_field(model, name) for name in where]
    sql = _update_sql(
        connection.vendor, model._meta.db_table, tuple(f.column for f in set_fields),
        tuple(f.column for f in where_fields), len(ids),
    )
    params = [
        *(f.get_db_prep_save(value, connection) for f, value in zip(set_fields, values.values(),
                                                                     strict=True)),
        *ids,
        *(f.get_db_prep_save(value, connection) for f, value in zip(where_fields, where.values(),
                                                                     strict=True)),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
