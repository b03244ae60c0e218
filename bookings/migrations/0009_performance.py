"""Issue 15: the appointment reads use the composite indexes at every scale.

With many salons in the table PostgreSQL preferred the single-column `salon_id` / `staff_id`
foreign-key indexes to `appt_salon_staff_block` (salon, staff, block_starts_at) and read a
salon's or a staff member's whole history. Both are dropped: every composite index of the
table starts with salon, and a staff member's rows are found through the no-overlap
constraint's GiST index (salon_id, staff_id, blocked range)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bookings", "0008_segments")]

    operations = [
        migrations.AlterField(
            model_name="appointment",
            name="salon",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="bookings.salon",
            ),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="staff",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="bookings.staffmember",
            ),
        ),
    ]
