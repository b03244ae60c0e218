# Client segments (issue 9): a service's visibility — public, or offered only through a
# segment's link. (StaffMember.offered_online already exists since 0001.)
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bookings", "0007_hours_across_midnight")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="visibility",
            field=models.CharField(
                choices=[("public", "Public"), ("segments", "For segments only")],
                default="public",
                help_text=(
                    "Segment-only services are hidden from the booking site; clients book "
                    "them through a segment's link."
                ),
                max_length=16,
                verbose_name="visibility",
            ),
        ),
    ]
