"""Indexes nothing reads are dropped; every insert paid for them, the outbox's inside the shop's request.

- The outbox (``RecordedEvent``) loses the two ``varchar_pattern_ops`` copies that Django builds on
  PostgreSQL for a ``unique=True`` or ``db_index=True`` text column (for ``LIKE 'x%'``, which the
  plugin never runs). Its two real indexes stay as they are and are only renamed: declared in
  ``Meta`` now, they are not rebuilt, so a long outbox migrates in an instant.
- A delivery's ``event`` and an attempt's ``delivery`` lose their own index: the unique
  (event, channel) and (delivery, number) indexes start with those columns and serve the same
  lookups.

On PostgreSQL nothing is built or re-validated: dropping and renaming an index holds the table's
lock only for a moment, however long the log. Elsewhere (the demo's SQLite) the same state is
reached by Django's own operations.
"""

import django.db.models.deletion
from django.db import migrations, models

#: Per model, per column: the name its single-column index keeps (renamed), or None (dropped).
INDEXES = {
    "recordedevent": {"order_id": "notify_event_order_idx", "idempotency_key": "notify_event_idempotency_unique"},
    "delivery": {"event_id": None},
    "deliveryattempt": {"delivery_id": None},
}


class DropAndRenameIndexes(migrations.SeparateDatabaseAndState):
    """On PostgreSQL, only drops and renames (no index is built, no foreign key is re-validated, as
    Django's ``AlterField`` would over the whole table); elsewhere, and backwards, the declared
    operations themselves."""

    def __init__(self, operations):
        super().__init__(database_operations=operations, state_operations=operations)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        quote = schema_editor.quote_name
        for model_name, columns in INDEXES.items():
            model = to_state.apps.get_model(app_label, model_name)
            if not self.allow_migrate_model(connection.alias, model):
                continue
            with connection.cursor() as cursor:
                existing = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for name, spec in existing.items():
                if spec["primary_key"] or spec["foreign_key"] or spec["check"]:
                    continue  # what is left: indexes and unique constraints
                if len(spec["columns"] or ()) != 1 or spec["columns"][0] not in columns:
                    continue
                new_name = columns[spec["columns"][0]]
                if new_name is None or name.endswith("_like"):
                    schema_editor.execute(f"DROP INDEX {quote(name)}")
                elif name != new_name:
                    # A unique constraint's index: renaming it renames the constraint with it.
                    schema_editor.execute(f"ALTER INDEX {quote(name)} RENAME TO {quote(new_name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_notify', '0014_saleor_channels'),
    ]

    operations = [
        DropAndRenameIndexes([
            migrations.AlterField(
                model_name='delivery',
                name='event',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='saleor_notify.recordedevent'),
            ),
            migrations.AlterField(
                model_name='deliveryattempt',
                name='delivery',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='attempts', to='saleor_notify.delivery'),
            ),
            migrations.AlterField(
                model_name='recordedevent',
                name='idempotency_key',
                field=models.CharField(help_text='One business event, one row (unique).', max_length=255),
            ),
            migrations.AlterField(
                model_name='recordedevent',
                name='order_id',
                field=models.CharField(blank=True, help_text='Saleor order id, when any.', max_length=64),
            ),
            migrations.AddIndex(
                model_name='recordedevent',
                index=models.Index(fields=['order_id'], name='notify_event_order_idx'),
            ),
            migrations.AddConstraint(
                model_name='recordedevent',
                constraint=models.UniqueConstraint(fields=('idempotency_key',), name='notify_event_idempotency_unique'),
            ),
        ]),
    ]
