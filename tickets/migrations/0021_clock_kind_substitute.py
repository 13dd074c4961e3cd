from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0020_ticket_portal_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="escalationrule",
            name="clock_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("response", "Response"),
                    ("onsite", "On site"),
                    ("resolution", "Resolution"),
                    ("repair", "Repair or replace"),
                    ("substitute", "Substitute device"),
                ],
                help_text="Blank: every kind of clock.",
                max_length=20,
                verbose_name="clock",
            ),
        ),
        migrations.AlterField(
            model_name="slaclock",
            name="kind",
            field=models.CharField(
                choices=[
                    ("response", "Response"),
                    ("onsite", "On site"),
                    ("resolution", "Resolution"),
                    ("repair", "Repair or replace"),
                    ("substitute", "Substitute device"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
