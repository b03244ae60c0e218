"""Issue 17: time held while the client pays online.

Statuses "held" (until `hold_expires_at`) and "released" (not paid in time). A held
appointment blocks its time like a booked one: the no-overlap exclusion constraint (0003, on
PostgreSQL) and the client's no-duplicate unique constraint (0005) now cover "held" too. A
hold that expired still counts for them until it is released (the booking service releases
expired holds in its way, services/booking.py; the sweep releases the rest)."""

from django.db import migrations, models

CONSTRAINT = "appointment_staff_no_overlap"


def _exclusion(statuses: str) -> str:
    return f"""
        ALTER TABLE bookings_appointment ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (
            salon_id WITH =,
            staff_id WITH =,
            tstzrange(block_starts_at, block_ends_at, '[)') WITH &&
        ) WHERE (status IN ({statuses}))
        """


def _replace_constraint(schema_editor, statuses: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )
    schema_editor.execute(_exclusion(statuses))


def cover_holds(apps, schema_editor):
    _replace_constraint(schema_editor, "'booked', 'completed', 'held'")


def uncover_holds(apps, schema_editor):
    _replace_constraint(schema_editor, "'booked', 'completed'")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0013_hardening")]

    operations = [
        migrations.RemoveConstraint(
            model_name="appointment",
            name="appointment_client_no_duplicate",
        ),
        migrations.AddField(
            model_name="appointment",
            name="hold_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="held until"),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="status",
            field=models.CharField(
                choices=[
                    ("booked", "Booked"),
                    ("completed", "Completed"),
                    ("cancelled", "Cancelled"),
                    ("no_show", "No-show"),
                    ("held", "Held for payment"),
                    ("released", "Not paid in time"),
                ],
                default="booked",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "held"), _negated=True),
                    ("hold_expires_at__isnull", False),
                    _connector="OR",
                ),
                name="appointment_hold_has_expiry",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["booked", "completed", "held"])),
                fields=("salon", "client", "service", "starts_at"),
                name="appointment_client_no_duplicate",
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(
                condition=models.Q(("status", "held")),
                fields=["hold_expires_at"],
                name="appt_held_expiry",
            ),
        ),
        migrations.RunPython(cover_holds, uncover_holds),
    ]
