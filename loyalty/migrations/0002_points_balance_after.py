"""`PointsEntry.balance_after`: the client's balance after each ledger row.

Added nullable, filled for every existing row with the running sum of its client's ledger in
(created_at, id) order (one window query; PostgreSQL and SQLite 3.33+ both run UPDATE … FROM),
then made NOT NULL. The ledger service writes it for new rows under the account row's lock."""

from django.db import migrations, models

BACKFILL = """
UPDATE loyalty_pointsentry
SET balance_after = running.balance
FROM (
    SELECT id, SUM(points) OVER (
        PARTITION BY salon_id, client_id ORDER BY created_at, id
    ) AS balance
    FROM loyalty_pointsentry
) AS running
WHERE loyalty_pointsentry.id = running.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("loyalty", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="pointsentry",
            name="balance_after",
            field=models.IntegerField(null=True, verbose_name="balance after"),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop, elidable=False),
        migrations.AlterField(
            model_name="pointsentry",
            name="balance_after",
            field=models.IntegerField(verbose_name="balance after"),
        ),
    ]
