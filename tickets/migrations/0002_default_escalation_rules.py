from django.db import migrations

from tickets.ladder import ladder_install_defaults


def create_rules(apps, schema_editor):
    ladder_install_defaults(apps.get_model("tickets", "EscalationRule"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
