"""Reserved for a change of this session (filled in, or kept empty as a dependency)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bookings", "0014_holds")]

    operations: list = []
