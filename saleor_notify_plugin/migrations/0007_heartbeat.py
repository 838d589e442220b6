from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('saleor_notify', '0006_secrets_encrypted'),
    ]

    operations = [
        migrations.CreateModel(
            name='Heartbeat',
            fields=[
                ('name', models.CharField(help_text='beat, sweep or poller', max_length=16, primary_key=True, serialize=False)),
                ('beat_at', models.DateTimeField(help_text='The last time it ran.')),
                ('value', models.BigIntegerField(blank=True, help_text='What it measured (the sweep: the backlog).', null=True)),
            ],
        ),
    ]
