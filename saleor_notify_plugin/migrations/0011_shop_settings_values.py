"""The shop settings row keeps the dashboard's values in one JSON column, by setting name, so a
setting added to the page needs no new column. The unused ``allow_private_targets`` column goes
(private targets come from the deployment only)."""

from django.db import migrations, models

#: The columns that held the page's values, each under its setting's name.
COLUMNS = ("funnel_marker_key", "funnel_channel_slugs", "digital_rule", "digital_metadata_key",
           "subscription_metadata_key", "funnel_fallback_minutes", "queue")


def columns_to_values(apps, schema_editor):
    ShopSettings = apps.get_model("saleor_notify", "ShopSettings")
    for row in ShopSettings.objects.all():
        row.values = {name: getattr(row, name) for name in COLUMNS}
        row.save(update_fields=["values"])


def values_to_columns(apps, schema_editor):
    ShopSettings = apps.get_model("saleor_notify", "ShopSettings")
    for row in ShopSettings.objects.all():
        for name in COLUMNS:
            if name in (row.values or {}):
                value = row.values[name]
                setattr(row, name, "" if value is None else value)
        row.save()


class Migration(migrations.Migration):

    dependencies = [
        ("saleor_notify", "0010_recorded_event"),
    ]

    operations = [
        migrations.AddField(
            model_name="shopsettings",
            name="values",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(columns_to_values, values_to_columns),
        migrations.RemoveField(model_name="shopsettings", name="allow_private_targets"),
        *(migrations.RemoveField(model_name="shopsettings", name=name) for name in COLUMNS),
    ]
