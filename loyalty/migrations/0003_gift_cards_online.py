"""Gift cards bought online (issue 17): `GiftCardType.sold_online`, and the paid order item a
card was issued for (unique when set: a duplicate "paid" never issues a second card)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0002_points_balance_after")]

    operations = [
        migrations.AddField(
            model_name="giftcard",
            name="order_item_id",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="giftcardtype",
            name="sold_online",
            field=models.BooleanField(
                default=False,
                help_text="Paid by card on your booking site; needs online payments switched on.",
                verbose_name="clients can buy it online",
            ),
        ),
        migrations.AddConstraint(
            model_name="giftcard",
            constraint=models.UniqueConstraint(
                condition=models.Q(("order_item_id__isnull", False)),
                fields=("salon", "order_item_id"),
                name="gift_card_once_per_order_item",
            ),
        ),
    ]
