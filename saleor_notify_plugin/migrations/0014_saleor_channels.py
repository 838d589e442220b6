"""Stores (Saleor channels): an attachment may be limited to some (``EventChannel.saleor_channels``,
empty: every store), and each recorded event keeps its store's slug (``RecordedEvent.saleor_channel``),
which fan-out matches on. Both columns have a database default, so a process still running the
previous release (mid-deploy) keeps writing; the outbox's index is built without blocking the
shop's INSERTs."""

from django.db import migrations, models


class AddIndexWithoutBlockingWrites(migrations.AddIndex):
    """``CREATE INDEX CONCURRENTLY`` on PostgreSQL: a long outbox keeps taking events while it is
    built (the migration is not atomic for that); a plain index elsewhere (the demo's SQLite)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):

    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ('saleor_notify', '0013_attempt_exchange'),
    ]

    operations = [
        migrations.AddField(
            model_name='eventchannel',
            name='saleor_channels',
            field=models.JSONField(blank=True, db_default=models.Value([], output_field=models.JSONField()), default=list, help_text='Slugs of the Saleor channels (stores) whose events it receives; empty: every store.'),
        ),
        migrations.AddField(
            model_name='recordedevent',
            name='saleor_channel',
            field=models.CharField(blank=True, db_default='', default='', help_text='The slug of the Saleor channel (store) it happened in.', max_length=255),
        ),
        AddIndexWithoutBlockingWrites(
            model_name='recordedevent',
            index=models.Index(fields=['saleor_channel'], name='notify_event_store_idx'),
        ),
    ]
