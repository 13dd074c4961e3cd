# Lateness of each escalation step (fired_at - due_at), a stored generated column:
# PostgreSQL computes it for the rows that exist, so no backfill is needed.

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0008_heartbeats'),
    ]

    operations = [
        migrations.AddField(
            model_name='escalationstep',
            name='lateness',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.expressions.CombinedExpression(models.F('fired_at'), '-', models.F('due_at')), help_text='How long after it was due the step was recorded.', output_field=models.DurationField(), verbose_name='lateness'),
        ),
    ]
