"""The availability cache's version (issue 15, bookings/availability_cache.py).

PostgreSQL only (SQLite, the zero-setup default, caches no availability): a table
`bookings_availability_version(salon_id, version, xact)` with one row per salon, and triggers
that bump the salon's version in the transaction of every write that can change its
availability — on every table availability reads (appointments, working hours, time off,
opening hours, closed days, staff, staff ↔ service and staff ↔ location links, services,
locations, the salon's own row). Raw SQL and bulk updates fire them too.

The bump triggers are constraint triggers, DEFERRABLE INITIALLY DEFERRED: they run at COMMIT,
so the per-salon row lock they take is the transaction's last lock (no lock-order deadlock with
the locks the transaction took before) and is held only while it commits. The first one of a
transaction bumps the version (`xact` remembers the transaction), the others find nothing to
do. A salon's row is created with a random version (a database restored or re-created next to
an older cache never meets its old keys), by a trigger on the salon table.

Not a Django model (no state operations): Django's flush (TRUNCATE of its own tables) leaves it
alone, and nothing in the ORM needs it.
"""

from django.db import migrations

TABLE = "bookings_availability_version"

# (table, the UPDATE trigger's WHEN condition or "" for every update)
FED_TABLES: list[tuple[str, str]] = [
    (
        "bookings_appointment",
        # A reminder, a note, a price: no change to availability.
        "(OLD.salon_id, OLD.staff_id, OLD.status, OLD.block_starts_at, OLD.block_ends_at, "
        "OLD.hold_expires_at) IS DISTINCT FROM (NEW.salon_id, NEW.staff_id, NEW.status, "
        "NEW.block_starts_at, NEW.block_ends_at, NEW.hold_expires_at)",
    ),
    ("bookings_workinghours", ""),
    ("bookings_timeoff", ""),
    ("bookings_locationhours", ""),
    ("bookings_locationclosure", ""),
    ("bookings_staffmember", ""),
    ("bookings_staffservice", ""),
    ("bookings_stafflocation", ""),
    ("bookings_service", ""),
    ("bookings_location", ""),
]

FORWARD = [
    f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        salon_id bigint PRIMARY KEY,
        version bigint NOT NULL,
        xact bigint
    )
    """,
    f"""
    INSERT INTO {TABLE} (salon_id, version)
    SELECT id, floor(random() * 4503599627370496)::bigint FROM bookings_salon
    ON CONFLICT (salon_id) DO NOTHING
    """,
    # Bump once per transaction: the row's `xact` is this transaction after the first bump.
    f"""
    CREATE OR REPLACE FUNCTION bookings_availability_bump_salon(sid bigint) RETURNS void
    LANGUAGE sql AS $$
        UPDATE {TABLE} SET version = version + 1, xact = txid_current()
        WHERE salon_id = sid AND xact IS DISTINCT FROM txid_current()
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION bookings_availability_bump() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM bookings_availability_bump_salon(OLD.salon_id);
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.salon_id <> OLD.salon_id) THEN
            PERFORM bookings_availability_bump_salon(NEW.salon_id);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION bookings_availability_bump_own() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM bookings_availability_bump_salon(NEW.id);
        RETURN NULL;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION bookings_availability_version_row() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM {TABLE} WHERE salon_id = OLD.id;
        ELSE
            INSERT INTO {TABLE} (salon_id, version)
            VALUES (NEW.id, floor(random() * 4503599627370496)::bigint)
            ON CONFLICT (salon_id)
            DO UPDATE SET version = EXCLUDED.version, xact = NULL;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER availability_version_row
    AFTER INSERT OR DELETE ON bookings_salon
    FOR EACH ROW EXECUTE FUNCTION bookings_availability_version_row()
    """,
    """
    CREATE CONSTRAINT TRIGGER availability_bump
    AFTER UPDATE ON bookings_salon
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION bookings_availability_bump_own()
    """,
]
for _table, _when in FED_TABLES:
    FORWARD.append(
        f"""
        CREATE CONSTRAINT TRIGGER availability_bump
        AFTER INSERT OR DELETE ON {_table}
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION bookings_availability_bump()
        """
    )
    FORWARD.append(
        f"""
        CREATE CONSTRAINT TRIGGER availability_bump_update
        AFTER UPDATE ON {_table}
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN ({_when or "OLD.* IS DISTINCT FROM NEW.*"})
        EXECUTE FUNCTION bookings_availability_bump()
        """
    )

BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for table, _when in FED_TABLES
        for name in ("availability_bump", "availability_bump_update")
    ),
    "DROP TRIGGER IF EXISTS availability_bump ON bookings_salon",
    "DROP TRIGGER IF EXISTS availability_version_row ON bookings_salon",
    "DROP FUNCTION IF EXISTS bookings_availability_bump()",
    "DROP FUNCTION IF EXISTS bookings_availability_bump_own()",
    "DROP FUNCTION IF EXISTS bookings_availability_version_row()",
    "DROP FUNCTION IF EXISTS bookings_availability_bump_salon(bigint)",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _run(statements: list[str]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("bookings", "0014_holds")]

    operations: list = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
