"""One switch row per event, all off: a new install sends nothing until the shop opts in."""

from django.db import migrations

EVENTS = [
    "ORDER_COMPLETED",
    "CONTACT_CREATED",
    "SHIPPING_TRACKING_UPDATED",
    "PRODUCT_CONFLICT",
    "TRANSACTION_DECLINED",
    "REFUND_APPLIED",
    "SUBSCRIPTION_CANCELED",
    "CUSTOMER_CREATED",
    "TRANSACTION_APPROVED",
    "SURVEY_COMPLETED",
]


def create_switches(apps, schema_editor):
    EventSwitch = apps.get_model("saleor_notify", "EventSwitch")
    for event in EVENTS:
        EventSwitch.objects.get_or_create(event=event, defaults={"is_enabled": False})


class Migration(migrations.Migration):
    dependencies = [("saleor_notify", "0001_initial")]
    operations = [migrations.RunPython(create_switches, migrations.RunPython.noop)]
