"""Channel secrets and target URLs are stored encrypted; existing rows are encrypted in place."""

from django.db import migrations

import saleor_notify_plugin.delivery.signing
import saleor_notify_plugin.secrets_at_rest

COLUMNS = ("secret", "previous_secret", "target_url")


def _rewrite(apps, schema_editor, convert):
    connection = schema_editor.connection
    table = connection.ops.quote_name("saleor_notify_notificationchannel")
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM {table}")
        for pk, *values in cursor.fetchall():
            cursor.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*(convert(v) if v else v for v in values), pk])


def encrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, saleor_notify_plugin.secrets_at_rest.encrypt)


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, saleor_notify_plugin.secrets_at_rest.decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_notify', '0005_capture_edges'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notificationchannel',
            name='previous_secret',
            field=saleor_notify_plugin.secrets_at_rest.EncryptedTextField(blank=True, help_text='The secret before the last rotation, signed with until expiry, then erased. Stored encrypted.'),
        ),
        migrations.AlterField(
            model_name='notificationchannel',
            name='secret',
            field=saleor_notify_plugin.secrets_at_rest.EncryptedTextField(default=saleor_notify_plugin.delivery.signing.generate_secret, help_text='Standard Webhooks signing secret (whsec_...). Stored encrypted.'),
        ),
        migrations.AlterField(
            model_name='notificationchannel',
            name='target_url',
            field=saleor_notify_plugin.secrets_at_rest.EncryptedTextField(blank=True, help_text="POSTBACK: the receiver's URL. SLACK: the incoming-webhook URL. Stored encrypted."),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
