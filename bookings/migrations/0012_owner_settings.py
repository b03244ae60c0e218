# An empty step: this piece of work needed no schema change here. Kept because later
# migrations (of this and other apps) depend on it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bookings", "0011_everyday")]

    operations = []
