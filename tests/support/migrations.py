"""Data migrations tested as a deployment meets them: rows written by the models of the release
before, then the migration run over them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

APP = "saleor_notify"


@contextmanager
def just_before(migration: str) -> Iterator[Any]:
    """The database migrated to just before ``migration``; yields the models as they were then.

    On leaving the block, ``migration`` runs over what the block wrote, and then the database is
    brought back to the latest migration (also when the block or the migration fails).
    """
    executor = MigrationExecutor(connection)
    target = [(APP, migration)]
    before = executor.loader.get_migration(*target[0]).dependencies
    executor.migrate(before)
    try:
        yield executor.loader.project_state(before).apps
        MigrationExecutor(connection).migrate(target)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes(APP))
