import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_calendar_years"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="compliance_target_percent",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Share of decided clocks that must be met; blank: the default target.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="SLA compliance target (%)",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="compliance_warn_below_percent",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="Below this share compliance shows as bad; blank: the default.",
                max_digits=5,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(100),
                ],
                verbose_name="SLA compliance alarm below (%)",
            ),
        ),
    ]
