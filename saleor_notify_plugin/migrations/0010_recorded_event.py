"""The model NotificationEvent is renamed RecordedEvent (one recorded occurrence of an event).

Its table keeps its name: the table is pinned first, so the rename changes no table, column,
index or constraint (``sqlmigrate`` emits no SQL for either step).
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_notify', '0009_cursor_decided_ids'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='notificationevent',
            table='saleor_notify_notificationevent',
        ),
        migrations.RenameModel(
            old_name='NotificationEvent',
            new_name='RecordedEvent',
        ),
    ]
