"""Channel health and alerts: each attempt carries its channel (a channel's health reads its own
attempts by index; existing attempts get theirs from their delivery), and a channel keeps its
alert state: whether it pauses on an alert, when it was paused and resumed, which failing spell
was reported."""

import django.db.models.deletion
from django.db import migrations, models

#: Existing attempts take their delivery's channel (one statement, by the delivery's primary key;
#: the log is bounded by retention). Plain SQL that SQLite (the demo) runs too.
BACKFILL = """
UPDATE saleor_notify_deliveryattempt SET channel_id = (
    SELECT delivery.channel_id FROM saleor_notify_delivery AS delivery
    WHERE delivery.id = saleor_notify_deliveryattempt.delivery_id
) WHERE channel_id IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_notify', '0011_shop_settings_values'),
    ]

    operations = [
        migrations.AddField(
            model_name='deliveryattempt',
            name='channel',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='saleor_notify.notificationchannel'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddField(
            model_name='notificationchannel',
            name='alerted_at',
            field=models.DateTimeField(blank=True, help_text='When that alert was sent.', null=True),
        ),
        migrations.AddField(
            model_name='notificationchannel',
            name='alerted_spell_at',
            field=models.DateTimeField(blank=True, help_text='The first failure of the spell the last alert was about (one per spell).', null=True),
        ),
        migrations.AddField(
            model_name='notificationchannel',
            name='pause_on_alert',
            field=models.BooleanField(default=False, help_text='When it alerts, hold its deliveries (pending, not attempted) until resumed.'),
        ),
        migrations.AddField(
            model_name='notificationchannel',
            name='paused_at',
            field=models.DateTimeField(blank=True, help_text='Set while paused: deliveries are held.', null=True),
        ),
        migrations.AddField(
            model_name='notificationchannel',
            name='resumed_at',
            field=models.DateTimeField(blank=True, help_text='The last resume: a failing spell counts from here at the earliest.', null=True),
        ),
        migrations.AddIndex(
            model_name='deliveryattempt',
            index=models.Index(fields=['channel', '-started_at'], name='notify_attempt_channel_idx'),
        ),
        migrations.AddIndex(
            model_name='deliveryattempt',
            index=models.Index(condition=models.Q(('verdict', 'success')), fields=['channel', '-started_at'], name='notify_attempt_channel_ok_idx'),
        ),
    ]
