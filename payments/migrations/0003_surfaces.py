"""The tenancy rule (tests/test_tenancy.py): a service's prepayment is unique per (salon,
service), not through a one-to-one column unique across salons."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_core")]

    operations = [
        migrations.AlterField(
            model_name="servicepayment",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="bookings.service",
            ),
        ),
        migrations.AddConstraint(
            model_name="servicepayment",
            constraint=models.UniqueConstraint(
                fields=("salon", "service"), name="service_payment_one_per_service"
            ),
        ),
    ]
