"""Packages bought online (issue 17): a purchase whose online payment lapsed is `lapsed`
(never usable; the one-pending-purchase rule no longer counts it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("packages", "0001_initial")]

    operations = [
        migrations.AlterField(
            model_name="clientpackage",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for payment"),
                    ("active", "Active"),
                    ("lapsed", "Not paid"),
                ],
                max_length=8,
                verbose_name="status",
            ),
        ),
    ]
