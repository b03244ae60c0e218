# Placeholder in a chain reserved for parallel work this session; operations are filled in
# by the owner of this step (or the file is removed if it stays empty).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bookings", "0008_segments")]

    operations = []
