import django.db.models.deletion
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models

import accounts.models


def merge_overlapping_shifts(apps, schema_editor):
    """An engineer's shifts that overlap become one before the rule below forbids it (a
    roster planned before could hold them): the earliest, stretched to the latest end, the
    notes joined."""
    DutyShift = apps.get_model("accounts", "DutyShift")
    kept = {}
    for shift in DutyShift.objects.order_by("engineer_id", "starts_at", "pk"):
        earlier = kept.get(shift.engineer_id)
        if earlier is None or shift.starts_at >= earlier.ends_at:
            kept[shift.engineer_id] = shift
            continue
        earlier.ends_at = max(earlier.ends_at, shift.ends_at)
        if shift.note and shift.note not in earlier.note:
            earlier.note = "; ".join(filter(None, [earlier.note, shift.note]))[:200]
        earlier.save(update_fields=["ends_at", "note"])
        shift.delete()


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
        migrations.RunPython(merge_overlapping_shifts, migrations.RunPython.noop),
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
