"""Payments core (issue 17): refund retry bookkeeping; an order's refunds bounded by its total
(each payment's by its amount); the salon's own record of a payment at the desk may sit
beside a booking's live online order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(
            model_name="order",
            name="order_refund_within_paid",
        ),
        migrations.RemoveConstraint(
            model_name="order",
            name="order_one_live_per_appointment",
        ),
        migrations.AddField(
            model_name="refund",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="refund",
            name="last_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount_refunded__gte", 0), ("amount_refunded__lte", models.F("total"))
                ),
                name="order_refund_within_paid",
            ),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ["pending", "paid", "partly_refunded"]),
                    models.Q(("provider", "pay_at_salon"), _negated=True),
                ),
                fields=("salon", "appointment"),
                name="order_one_live_per_appointment",
            ),
        ),
    ]
