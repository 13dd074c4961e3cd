from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_queue_deadline_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(fields=["started_at"], name="clock_started"),
        ),
    ]
