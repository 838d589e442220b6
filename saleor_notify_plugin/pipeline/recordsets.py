"""The pipeline's own SQL: the models' columns by name, and many rows in one parameter.

:func:`field` and :func:`column` name a model's column as its field says (quoted for the
database). A list of rows goes to PostgreSQL as one JSON document, which a statement reads with
``jsonb_to_recordset(%s::jsonb) AS r(<columns>)``: one parameter however many rows, so the
statement's text (and psycopg's conversion of it) is the same for every batch, and no per-row
parameter is quoted. :func:`columns` gives that column list with the types of the model's
fields; :func:`document` encodes the rows.

:func:`bound_cursor` runs such statements with their parameters bound by PostgreSQL rather than
quoted into the text by psycopg: a JSON document of a kilobyte or more is sent as it is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.psycopg_any import register_tzloader  # type: ignore[import-untyped]
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import Field, Model

_COMPACT = (",", ":")
_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid


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


def bound_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of ``connection`` (Django's, with its query log and execute wrappers) whose
    parameters PostgreSQL binds: psycopg 3's server-side binding, for this cursor only.

    Django's default for psycopg 3 is client-side binding: every parameter is quoted into the
    statement's text, in Python, which for a payload of a kilobyte or two costs more than the
    statement itself. Bound by the server, the payload travels as it is (JSON as JSONB, moments
    and ids in binary). No statement is prepared (Django's ``prepare_threshold`` stays as the
    deployment set it), so a connection pooler in transaction mode sees nothing new. On another
    database, or where the deployment already binds on the server, this is ``connection.cursor()``.
    A ``str`` parameter goes as untyped text: write ``%s::jsonb`` where a document is meant.
    """
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("server_side_binding") is True:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw: Any = psycopg.Cursor(connection.connection)  # the stubs type what the wrappers take as a wrapper
        zone = connection.timezone  # as Django gives its own cursors the connection's zone
        if zone != connection.connection.adapters.get_loader(_TIMESTAMPTZ, psycopg.pq.Format.TEXT).timezone:
            register_tzloader(zone, raw)
        connection.validate_thread_sharing()
        return _LoggedBoundCursor(raw, connection) if connection.queries_logged else connection.make_cursor(raw)


class _LoggedBoundCursor(CursorDebugWrapper):
    """Django's query log for :func:`bound_cursor`: each statement as Django logs one where the
    deployment binds on the server, its parameters composed in (not ``$1``), so the log and the
    tests that read it see the same statements as before."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        try:
            shown = self.db.ops.compose_sql(sql, params) if params is not None else sql
        except psycopg.Error:  # a parameter that cannot be shown: executing it says why
            shown = sql
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)
