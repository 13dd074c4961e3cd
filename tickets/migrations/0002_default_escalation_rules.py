from django.db import migrations

# Warn the implementation group at 50 % and 75 % of the time, escalate to the
# management group at the breach and to the leadership group two hours later.
DEFAULT_LADDER = [
    ("warning", 50, 0, "implementation"),
    ("warning", 75, 0, "implementation"),
    ("breach", 100, 0, "management"),
    ("escalation", 100, 120, "leadership"),
]


def create_rules(apps, schema_editor):
    EscalationRule = apps.get_model("tickets", "EscalationRule")
    for kind, percent, extra, tier in DEFAULT_LADDER:
        EscalationRule.objects.get_or_create(
            clock_kind="",
            percent=percent,
            extra_minutes=extra,
            defaults={"kind": kind, "tier": tier},
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
