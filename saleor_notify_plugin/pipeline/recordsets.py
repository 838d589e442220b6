"""The pipeline's own SQL: the models' columns by name, and many rows in one parameter.

:func:`field` and :func:`column` name a model's column as its field says (quoted for the
database). A list of rows goes to PostgreSQL as one JSON document, which a statement reads with
``jsonb_to_recordset(%s::jsonb) AS r(<columns>)``: one parameter however many rows, so the
statement's text (and psycopg's conversion of it) is the same for every batch, and no per-row
parameter is quoted. :func:`columns` gives that column list with the types of the model's
fields; :func:`document` encodes the rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Field, Model

_COMPACT = (",", ":")


def field(model: type[Model], name: str) -> Field:
    """The concrete field ``name`` of ``model`` (a column of its table)."""
    found = model._meta.get_field(name)
    assert isinstance(found, Field) and found.column, f"{model.__name__}.{name} is not a column"
    return found


def column(using: str, model: type[Model], name: str) -> str:
    """The column of the field ``name`` of ``model``, quoted for database ``using``."""
    return connections[using].ops.quote_name(field(model, name).column)


def columns(using: str, model: type[Model], names: Sequence[str]) -> str:
    """``"col" type, ...`` for the fields ``names`` of ``model`` (a foreign key's type is its target's)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    return ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in (field(model, n) for n in names))


def document(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON document: timestamps to the microsecond with their offset, UUIDs as text."""
    return json.dumps(rows, default=_plain, separators=_COMPACT)


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
