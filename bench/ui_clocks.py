"""The page dataset's clocks, pauses, escalation steps and notifications (bench/ui_dataset.py),
from the tickets' timestamps, as the project's rules would have written them."""

from bench.ui_lookups import sql_moment_when_used

# One row per clock the ticket has, with when (and how) it stopped or paused.
CLOCKS_PLAN_SQL = """
CREATE TEMP TABLE bench_c AS
SELECT t.id AS ticket_id, k.kind, k.cal, k.wcal, k.budget, t.rep AS started,
       k.stop_at, k.by_cancel,
       CASE WHEN t.wait_at IS NOT NULL AND t.pause AND k.stop_at IS NULL THEN t.wait_at END
           AS pause_at
FROM bench_t AS t
CROSS JOIN LATERAL (
    VALUES
        ('response', t.resp_cal, t.resp_w, t.resp_s,
         coalesce(t.e_ack, CASE WHEN t.cancelled THEN t.p_cancel END), t.e_ack IS NULL),
        ('onsite', t.os_cal, t.os_w, CASE WHEN t.kind = 'fault' THEN t.os_s END,
         coalesce(t.e_os, t.e_res, CASE WHEN t.cancelled THEN t.p_cancel END), t.e_os IS NULL),
        ('resolution', t.res_cal, t.res_w, CASE WHEN t.kind <> 'change_request' THEN t.res_s END,
         coalesce(t.e_res, CASE WHEN t.cancelled THEN t.p_cancel END), t.e_res IS NULL),
        ('repair', NULL, NULL,
         CASE WHEN t.kind = 'fault' AND t.item_hw THEN t.repair_days * 86400 END,
         coalesce(t.e_res, CASE WHEN t.cancelled THEN t.p_cancel END), t.e_res IS NULL)
) AS k(kind, cal, wcal, budget, stop_at, by_cancel)
WHERE t.covered AND k.budget IS NOT NULL;

CREATE TEMP TABLE bench_m AS
SELECT c.ticket_id, c.kind, r.id AS rule_id, r.kind AS rule_kind, r.tier,
       {mark} AS m
FROM bench_c AS c JOIN bench_rule AS r ON r.clock_kind IN ('', c.kind);

CREATE TEMP TABLE bench_clock AS
SELECT c.*, {target} AS target, g.at_risk, g.warned,
       coalesce(g.breach_fired, false) AS breach_fired, g.next_m
FROM (SELECT *, least(stop_at, pause_at, %(t0)s) AS hz FROM bench_c) AS c
LEFT JOIN (
    SELECT m.ticket_id, m.kind,
           min(m.m) FILTER (WHERE m.rule_kind = 'warning') AS at_risk,
           min(m.m) FILTER (WHERE m.rule_kind = 'warning' AND m.m <= x.hz) AS warned,
           bool_or(m.rule_kind IN ('breach', 'escalation') AND m.m <= x.hz) AS breach_fired,
           min(m.m) FILTER (WHERE m.m > x.hz) AS next_m
    FROM bench_m AS m
    JOIN (SELECT ticket_id, kind, least(stop_at, pause_at, %(t0)s) AS hz FROM bench_c) AS x
        USING (ticket_id, kind)
    GROUP BY m.ticket_id, m.kind
) AS g USING (ticket_id, kind);
"""

INSERT_CLOCKS_SQL = """
INSERT INTO tickets_slaclock (
    ticket_id, kind, calendar_id, budget_seconds, started_at, target_at, at_risk_at,
    next_step_at, status, stopped_at, warned_at, breached_at, created_at, updated_at,
    unconfirmed_years
)
SELECT c.ticket_id, c.kind, c.cal, c.budget, c.started,
       CASE WHEN c.pause_at IS NULL THEN c.target END,
       c.at_risk,
       CASE WHEN c.stop_at IS NULL AND c.pause_at IS NULL THEN c.next_m END,
       CASE WHEN c.stop_at IS NOT NULL THEN
                CASE WHEN b.breached_at IS NOT NULL THEN 'breached'
                     WHEN c.by_cancel THEN 'cancelled' ELSE 'met' END
            WHEN c.pause_at IS NOT NULL THEN 'paused'
            WHEN b.breached_at IS NOT NULL THEN 'breached'
            ELSE 'running' END,
       c.stop_at, c.warned, b.breached_at, c.started,
       greatest(c.started, c.stop_at, c.pause_at, c.warned, b.breached_at),
       coalesce(y.years, '[]'::jsonb)
FROM bench_clock AS c
CROSS JOIN LATERAL (
    -- As tickets.clocks: a clock stopped or cancelled after its target is breached.
    SELECT CASE WHEN c.breach_fired OR c.stop_at > c.target
                THEN c.target END AS breached_at
) AS b
CROSS JOIN LATERAL (
    -- As tickets.clocks: the local years the deadline arithmetic read, from the
    -- start to the target (to the open pause when it came first), whose holidays
    -- the calendar has not confirmed. None for 7×24 calendars (no wcal).
    SELECT jsonb_agg(r.year ORDER BY r.year) AS years
    FROM bench_cal_year AS cy
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.pause_at IS NULL OR c.target <= c.pause_at THEN c.target
                    ELSE greatest(c.started, c.pause_at) END AS end_at
    ) AS e
    CROSS JOIN LATERAL generate_series(
        extract(year FROM c.started AT TIME ZONE cy.tz)::int,
        extract(year FROM CASE WHEN e.end_at > c.started
                               THEN e.end_at - interval '1 microsecond'
                               ELSE c.started END AT TIME ZONE cy.tz)::int
    ) AS r(year)
    WHERE cy.cal = c.wcal AND cy.confirmed IS NOT NULL AND r.year <> ALL(cy.confirmed)
) AS y
ORDER BY c.ticket_id, c.kind;

INSERT INTO tickets_clockpause (clock_id, started_at, ended_at, reason, created_at, updated_at)
SELECT k.id, c.pause_at, NULL, 'waiting_customer', c.pause_at, c.pause_at
FROM bench_clock AS c JOIN tickets_slaclock AS k ON k.ticket_id = c.ticket_id AND k.kind = c.kind
WHERE c.pause_at IS NOT NULL;
"""

# Steps of every threshold passed while the clock counted, two seconds after
# each fell due; acknowledged by the tier once the ticket is finished or the
# step is two days old.
INSERT_STEPS_SQL = """
INSERT INTO tickets_escalationstep (
    clock_id, rule_id, ticket_id, kind, tier, due_at, fired_at, superseded, acknowledged_at,
    acknowledged_by_id, created_at, updated_at
)
SELECT k.id, m.rule_id, m.ticket_id, m.rule_kind, m.tier, m.m, f.fired, false,
       CASE WHEN t.state <> ALL(%(open)s::text[]) OR f.fired < %(t0)s - interval '2 days'
            THEN least(f.fired + interval '15 minutes' + t.u_close * interval '2 hours', %(t0)s)
       END,
       CASE WHEN t.state <> ALL(%(open)s::text[]) OR f.fired < %(t0)s - interval '2 days'
            THEN coalesce(CASE WHEN m.tier = 'management' THEN t.manager_id END, u.user_id) END,
       f.fired, f.fired
FROM bench_m AS m
JOIN bench_clock AS c USING (ticket_id, kind)
JOIN bench_t AS t ON t.id = m.ticket_id
JOIN tickets_slaclock AS k ON k.ticket_id = m.ticket_id AND k.kind = m.kind
LEFT JOIN bench_tier_user AS u ON u.tier = m.tier
CROSS JOIN LATERAL (SELECT least(m.m + interval '2 seconds', %(t0)s) AS fired) AS f
WHERE m.m <= c.hz
ORDER BY f.fired;

INSERT INTO tickets_notification (
    user_id, ticket_id, step_id, title, body, message, read_at, emailed_at, email_failures,
    created_at, updated_at, key
)
SELECT n.user_id, s.ticket_id, s.id,
       '[' || t.number || '] ' || s.kind || ' ' || k.kind, '', '{}', s.acknowledged_at,
       s.fired_at, 0, s.fired_at, coalesce(s.acknowledged_at, s.fired_at), ''
FROM tickets_escalationstep AS s
JOIN tickets_ticket AS t ON t.id = s.ticket_id
JOIN tickets_slaclock AS k ON k.id = s.clock_id
JOIN bench_t AS b ON b.id = s.ticket_id
CROSS JOIN LATERAL (
    SELECT CASE s.tier WHEN 'management' THEN b.manager_id
                       WHEN 'implementation' THEN t.assigned_engineer_id END AS user_id
    UNION ALL
    SELECT user_id FROM bench_tier_user WHERE s.tier = 'leadership' AND tier = 'leadership'
) AS n
WHERE s.ticket_id >= %(first_id)s AND n.user_id IS NOT NULL;
"""


def clocks_insert(cursor, params: dict, step) -> None:
    """Every clock of the inserted tickets, its open pause, its steps and their notifications;
    `step` logs progress."""
    mark = sql_moment_when_used(
        "c.wcal", "c.started", "(c.budget * r.percent / 100 + r.extra * 60)"
    )
    target = sql_moment_when_used("c.wcal", "c.started", "c.budget")
    step("computing clocks and escalation thresholds")
    cursor.execute(CLOCKS_PLAN_SQL.format(mark=mark, target=target), params)
    step("inserting clocks, pauses, escalation steps and notifications")
    cursor.execute(INSERT_CLOCKS_SQL, params)
    cursor.execute(INSERT_STEPS_SQL, params)
