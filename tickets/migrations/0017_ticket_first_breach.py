from django.db import migrations, models

# Ticket.first_breach_at beside Ticket.next_deadline, kept by the same statement-level
# triggers (0015), now one function recomputing both for the tickets a statement touched.
#
# A clock's breach moment is COALESCE(breached_at, target_at) when it has breached or still
# can: a breach recorded, a stop after its target, or still counting towards a target. The
# clock is breached at `now` exactly when that moment is before `now` (the rule of
# tickets.models.clocks.outcome_conditions), so the ticket is breached exactly when the
# earliest of them is.
POSSIBLE = """(
    c.breached_at IS NOT NULL OR c.status = 'breached' OR c.stopped_at > c.target_at
    OR (c.stopped_at IS NULL AND c.status NOT IN ('met', 'cancelled') AND c.target_at IS NOT NULL)
)"""
NEAREST = "c.stopped_at IS NULL AND c.status IN ('running', 'breached')"
REFRESH = f"""
    UPDATE tickets_ticket t SET next_deadline = x.nearest, first_breach_at = x.first_breach
    FROM (
        SELECT changed.ticket_id,
               (SELECT min(c.target_at) FROM tickets_slaclock c
                WHERE c.ticket_id = changed.ticket_id AND {NEAREST}) AS nearest,
               (SELECT min(COALESCE(c.breached_at, c.target_at)) FROM tickets_slaclock c
                WHERE c.ticket_id = changed.ticket_id AND {POSSIBLE}) AS first_breach
        FROM changed
    ) x
    WHERE t.id = x.ticket_id
      AND (t.next_deadline, t.first_breach_at) IS DISTINCT FROM (x.nearest, x.first_breach);
"""
FORWARD = f"""
CREATE OR REPLACE FUNCTION tickets_next_deadline_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (SELECT DISTINCT ticket_id FROM new_clocks) {REFRESH}
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tickets_next_deadline_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH changed AS (SELECT DISTINCT ticket_id FROM old_clocks) {REFRESH}
    RETURN NULL;
END $$;
-- Only rows whose inputs changed: the sweep moving a clock's next step costs no ticket
-- update, and recording a breach (breached_at = target_at) finds nothing to change.
CREATE OR REPLACE FUNCTION tickets_next_deadline_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT n.ticket_id AS new_ticket, o.ticket_id AS old_ticket
        FROM new_clocks n JOIN old_clocks o ON o.id = n.id
        WHERE n.ticket_id IS DISTINCT FROM o.ticket_id
           OR n.target_at IS DISTINCT FROM o.target_at
           OR n.stopped_at IS DISTINCT FROM o.stopped_at
           OR n.breached_at IS DISTINCT FROM o.breached_at
           OR n.status IS DISTINCT FROM o.status
    ), changed AS (
        SELECT new_ticket AS ticket_id FROM moved UNION SELECT old_ticket FROM moved
    ) {REFRESH}
    RETURN NULL;
END $$;
UPDATE tickets_ticket t SET first_breach_at = x.first_breach
FROM (
    SELECT c.ticket_id, min(COALESCE(c.breached_at, c.target_at)) AS first_breach
    FROM tickets_slaclock c WHERE {POSSIBLE} GROUP BY c.ticket_id
) x
WHERE x.ticket_id = t.id;
"""


def _backward_functions(apps, schema_editor):
    """0015's functions as they were, from that migration's own text."""
    from importlib import import_module

    previous = import_module("tickets.migrations.0015_ticket_next_deadline")
    body = previous.FORWARD.split("CREATE TRIGGER", 1)[0]
    schema_editor.execute(body.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0016_notification_withdrawn"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="first_breach_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="first breach at"
            ),
        ),
        migrations.RunSQL(FORWARD, migrations.RunSQL.noop),
        migrations.RunPython(migrations.RunPython.noop, _backward_functions),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["first_breach_at", "id"],
                condition=models.Q(
                    ("first_breach_at__isnull", False),
                    ("state__in", ["new", "acknowledged", "dispatched", "en_route", "on_site", "reopened", "waiting_customer", "submitted", "approved", "in_progress"]),
                ),
                name="ticket_open_breach",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["first_breach_at", "id"],
                condition=models.Q(("first_breach_at__isnull", False)),
                name="ticket_first_breach",
            ),
        ),
    ]
