"""API tokens moved from DRF's authtoken to knox (accounts/tokens.py). DRF kept each key
in plain text: drop its table, and its content type and permissions, on databases that
had it. Its tokens stopped working with the move; clients log in again."""

from django.db import migrations


def forwards(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS authtoken_token")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="authtoken"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_staff_follows_admin_role"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
