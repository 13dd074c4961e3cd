"""Only managers (and superusers) keep is_staff: agents, engineers, leaders and customer
contacts were given it by the earlier rule and lose it (accounts/roles.ADMIN_ROLES)."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(is_staff=True, is_superuser=False).exclude(
        groups__name="manager"
    ).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_dutyshift")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
