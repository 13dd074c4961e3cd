import django.db.models.deletion
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import accounts.models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_language"),
        ("contracts", "0004_reference_stamp"),
    ]

    operations = [
        # The overlap constraint compares the engineer (=) inside a GiST index.
        BtreeGistExtension(),
        migrations.AddField(
            model_name="dutyshift",
            name="kind",
            field=models.CharField(
                choices=[
                    ("regular", "Regular duty"),
                    ("holiday", "Holiday duty"),
                    ("event", "Event duty"),
                ],
                default="regular",
                max_length=10,
                verbose_name="kind of duty",
            ),
        ),
        migrations.AddField(
            model_name="dutyshift",
            name="mode",
            field=models.CharField(
                choices=[("on_call", "On call"), ("on_site", "On site")],
                default="on_call",
                max_length=10,
                verbose_name="on call or on site",
            ),
        ),
        migrations.AddField(
            model_name="dutyshift",
            name="site",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="duty_shifts",
                to="contracts.site",
                verbose_name="site",
            ),
        ),
        migrations.AddField(
            model_name="dutyshift",
            name="event",
            field=models.CharField(blank=True, max_length=200, verbose_name="event"),
        ),
        migrations.AddConstraint(
            model_name="dutyshift",
            constraint=ExclusionConstraint(
                expressions=[
                    ("engineer", RangeOperators.EQUAL),
                    (
                        accounts.models.TsTzRange("starts_at", "ends_at"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                name="shift_no_overlap_per_engineer",
                violation_error_message="This engineer is already on duty at that time.",
            ),
        ),
    ]
