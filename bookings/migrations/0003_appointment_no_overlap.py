"""Invariant 1 in the database: on PostgreSQL no two active appointments of one staff member
have overlapping blocked ranges (service time plus buffers). SQLite has no exclusion
constraints; there the booking service serializes writers instead (see services/booking.py)."""

from django.db import migrations

CONSTRAINT = "appointment_staff_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""
        ALTER TABLE bookings_appointment ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (
            salon_id WITH =,
            staff_id WITH =,
            tstzrange(block_starts_at, block_ends_at, '[)') WITH &&
        ) WHERE (status IN ('booked', 'completed'))
        """
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_booking_settings_and_appointments")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
