"""Three months of a busy service desk in set-based SQL, for the page benchmark (`bench.ui`).

Every ticket follows a planned history drawn at random (seeded): reported
at some moment of the last `days` days (mostly in the daytime), on a site of
one of twenty-odd customers, a fault, consultation, complaint or change
request, P1/P2/P3. It is acknowledged, dispatched, the engineer sets off and
arrives, the ticket is resolved and closed, each step after a share of the
time the contract allows (the share is mostly within the promise, sometimes
past it, and a long tail of tickets waits for weeks). Some calls are
cancelled. The state of a ticket is simply the last step of its plan that
lies before the reference instant; an open ticket may instead be waiting on
the customer since a moment after its last step, its clocks paused.

Clocks, escalation steps and notifications then follow the project's rules
for those timestamps, as `tickets.services`, `tickets.clocks` and the sweep
would have written them:

* which clocks a ticket has and their allowance: `clock_budgets`, from the
  terms of the contract phase the call came in (none when not covered);
* target, at-risk moment and every escalation threshold are working time
  counted from the report in the clock's calendar. 7×24 is plain addition;
  business hours (P3 on-site and resolution) go through a table of the
  calendar's working intervals, taken from `contracts.worktime` itself, and
  a small PL/pgSQL function; a sample is checked against
  `tickets.clocks.clock_recompute`;
* acknowledging stops the response clock, arriving on site the on-site
  clock, resolving the resolution and repair clocks (and cancels an on-site
  clock without a visit), cancelling cancels what still runs, waiting on
  the customer pauses what still runs (an open pause, no target);
* every threshold passed before a clock stopped or paused (or before the
  reference instant) has its escalation step, recorded two seconds after it
  fell due; the first warning sets `warned_at`, the breach step
  `breached_at` and the status; the next threshold is `next_step_at`, so
  right after loading no step is due. Steps of finished tickets and older
  ones are acknowledged by their tier. Management and leadership steps, and
  implementation steps of dispatched tickets, notify the people the sweep
  notifies first (service manager, leader, assigned engineer).

Not generated, because neither page reads them: ticket events, fault
reports, attachments, historical (closed) pauses and reopened tickets.
"""

import json
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from accounts.models import User
from accounts.roles import Role, Tier
from bench.dataset import SEQUENCE_SQL
from bench.ui_world import Slot
from contracts.models import Contract
from contracts.phases import SERVICE_PHASES
from contracts.worktime import explain_addition, working_time_between
from tickets.clocks import ScheduleCache, active_rules, clock_recompute
from tickets.models import OPEN_STATES, EscalationStep, SlaClock, Ticket
from tickets.services.creation import terms_snapshot

PRIORITIES = ("P1", "P2", "P3")
SUMMARIES = {
    "fault": [
        "调度大屏数据不刷新",
        "泵站遥测数据中断",
        "报表导出失败",
        "水质在线监测告警误报",
        "登录后页面空白",
        "数据采集网关离线",
        "服务器风扇告警",
        "视频监控画面卡顿",
        "短信告警发送失败",
        "数据库连接池耗尽",
    ],
    "consultation": ["如何导出上月报表", "账号权限如何调整", "新增用户操作咨询", "接口文档咨询"],
    "complaint": ["上次故障处理超时", "工程师未按约到场"],
    "change_request": ["新增告警短信模板", "报表增加统计字段", "调整数据保留周期"],
}


def _rand(name: str) -> str:
    return f"random() AS {name}"


# One row per ticket with its random draws; the seed makes the data reproducible.
DRAW_NAMES = [
    "u_day",
    "u_tod",
    "u_tod2",
    "u_slot",
    "u_kind",
    "u_prio",
    "u_chan",
    "u_item",
    "u_contact",
    "u_agent",
    "u_summary",
    "u_eng",
    "u_ack",
    "u_ack2",
    "u_disp",
    "u_disp2",
    "u_dep",
    "u_remote",
    "u_os",
    "u_os2",
    "u_res",
    "u_res2",
    "u_close",
    "u_close2",
    "u_confirm",
    "u_cancel",
    "u_cancel2",
    "u_reject",
    "u_start",
    "u_wait",
    "u_wait2",
]
DRAW_SQL = f"""
CREATE TEMP TABLE bench_draw AS
SELECT g, {", ".join(_rand(n) for n in DRAW_NAMES)}
FROM generate_series(1, %(total)s) AS g
"""


def _at(wcal: str, start: str, used_seconds: str) -> str:
    """SQL: the instant a clock started at `start` has used `used_seconds` of working time.

    `wcal` is NULL for 7×24 calendars (plain addition), else the calendar whose
    working intervals are in bench_work.
    """
    return (
        f"(CASE WHEN {wcal} IS NULL THEN {start} + ({used_seconds}) * interval '1 second' "
        f"ELSE pg_temp.bench_at({wcal}, {start}, round(({used_seconds}) * 1000000)::bigint) END)"
    )


# Working intervals of the business-hours calendars, cumulated, and the
# function that adds working time with them. Mirrors
# contracts.worktime.add_working_time: counting starts at the next opening,
# and a duration that uses a window up ends at that window's end.
WORK_SQL = """
CREATE TEMP TABLE bench_work (
    cal bigint, lo timestamptz, hi timestamptz, cum bigint, len bigint, cum_end bigint
);
CREATE INDEX ON bench_work (cal, hi);
CREATE INDEX ON bench_work (cal, cum_end);
CREATE FUNCTION pg_temp.bench_at(calendar bigint, start timestamptz, used bigint)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
    base bigint;
    result timestamptz;
BEGIN
    IF used <= 0 THEN
        RETURN start;
    END IF;
    SELECT w.cum + greatest(0, (extract(epoch FROM start - w.lo) * 1000000)::bigint)
    INTO base
    FROM pg_temp.bench_work AS w WHERE w.cal = calendar AND w.hi > start
    ORDER BY w.hi LIMIT 1;
    SELECT w.lo + (base + used - w.cum) * interval '1 microsecond'
    INTO result
    FROM pg_temp.bench_work AS w WHERE w.cal = calendar AND w.cum_end >= base + used
    ORDER BY w.cum_end LIMIT 1;
    -- Past the end of the table: later than anything the data needs (a plan
    -- step that never happens); a clock moment there fails the checks.
    RETURN coalesce(result, 'infinity');
END
$$;
"""

LOOKUPS_SQL = """
CREATE TEMP TABLE bench_slot (
    lo float8, hi float8, customer_id bigint, contract_id bigint, site_id bigint,
    branch_id bigint, item_id bigint, item_hw boolean, contacts bigint[], manager_id bigint
);
CREATE TEMP TABLE bench_span (contract_id bigint, phase text, since timestamptz, until timestamptz);
CREATE TEMP TABLE bench_cover (
    contract_id bigint, phase text, priority text, covered boolean, snapshot jsonb,
    resp_s bigint, resp_cal bigint, resp_w bigint, os_s bigint, os_cal bigint, os_w bigint,
    res_s bigint, res_cal bigint, res_w bigint, repair_days int, pause boolean
);
CREATE TEMP TABLE bench_eng (branch_id bigint, engineers bigint[]);
CREATE TEMP TABLE bench_rule (
    id bigint, clock_kind text, kind text, tier text, percent int, extra int
);
CREATE TEMP TABLE bench_tier_user (tier text, user_id bigint);
"""

# The planned history of each ticket, then what of it has happened by t0.
PLAN_SQL = f"""
CREATE TEMP TABLE bench_plan AS
SELECT d.*, s.customer_id, s.contract_id, s.site_id, s.branch_id, s.manager_id,
       CASE WHEN d.u_item < 0.6 THEN s.item_id END AS item_id,
       d.u_item < 0.6 AND s.item_hw AS item_hw,
       s.contacts[1 + floor(d.u_contact * cardinality(s.contacts))::int] AS contact_id,
       k.kind, k.priority, coalesce(p.phase, '') AS phase,
       coalesce(c.covered, false) AS covered,
       coalesce(c.snapshot, '{{}}'::jsonb) AS snapshot,
       c.resp_s, c.resp_cal, c.resp_w, c.os_s, c.os_cal, c.os_w, c.res_s, c.res_cal, c.res_w,
       c.repair_days, coalesce(c.pause, false) AS pause,
       -- Calls without terms still get worked, at the pace the usual terms set.
       coalesce(c.resp_s, 1800) AS pace_resp, coalesce(c.os_s, 14400) AS pace_os,
       coalesce(c.res_s, 86400) AS pace_res
FROM (
    SELECT bench_draw.*,
           date_trunc('second', CASE WHEN r0 >= %(t0)s THEN r0 - interval '1 day' ELSE r0 END)
               AS rep
    FROM bench_draw
    CROSS JOIN LATERAL (
        SELECT %(midnight)s::timestamptz - floor(u_day * %(days)s) * interval '1 day'
               + CASE WHEN u_tod < 0.8 THEN interval '8 hours' + u_tod2 * interval '12 hours'
                      ELSE u_tod2 * interval '24 hours' END AS r0
    ) AS r
) AS d
JOIN bench_slot AS s ON d.u_slot >= s.lo AND d.u_slot < s.hi
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.u_kind < 0.80 THEN 'fault' WHEN d.u_kind < 0.92 THEN 'consultation'
                WHEN d.u_kind < 0.96 THEN 'complaint' ELSE 'change_request' END AS kind,
           CASE WHEN d.u_prio < 0.15 THEN 'P1' WHEN d.u_prio < 0.62 THEN 'P2'
                ELSE 'P3' END AS priority
) AS k
LEFT JOIN bench_span AS p
    ON p.contract_id = s.contract_id AND d.rep >= p.since AND d.rep < p.until
LEFT JOIN bench_cover AS c
    ON c.contract_id = s.contract_id AND c.phase = p.phase AND c.priority = k.priority;

CREATE TEMP TABLE bench_steps AS
SELECT b.*, a.p_ack, x.p_disp, x.p_dep, o.p_os, st.p_start, re.p_res, cl.p_close, ca.p_cancel,
       du.p_res_due
FROM bench_plan AS b
CROSS JOIN LATERAL (
    SELECT {
    _at(
        "b.resp_w",
        "b.rep",
        "b.pace_resp * CASE WHEN b.u_ack < 0.92 THEN 0.05 + 0.85 * b.u_ack2 "
        "WHEN b.u_ack < 0.97 THEN 1.0 + 1.5 * b.u_ack2 ELSE 2.5 + 40 * b.u_ack2 END",
    )
} AS p_ack
) AS a
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.kind = 'fault' AND b.u_remote >= 0.3 THEN
               a.p_ack + CASE WHEN b.u_disp < 0.95 THEN interval '2 minutes'
                                  + b.u_disp2 * interval '28 minutes'
                              ELSE interval '1 hour' + b.u_disp2 * interval '47 hours' END
           END AS p_disp
) AS x0
CROSS JOIN LATERAL (
    SELECT x0.p_disp, x0.p_disp + interval '5 minutes' + b.u_dep * interval '25 minutes' AS p_dep
) AS x
CROSS JOIN LATERAL (
    SELECT CASE WHEN x.p_dep IS NOT NULL THEN greatest(
        {
    _at(
        "b.os_w",
        "b.rep",
        "b.pace_os * CASE WHEN b.u_os < 0.92 THEN 0.3 + 0.65 * b.u_os2 "
        "ELSE 1.0 + 2.0 * b.u_os2 END",
    )
},
        x.p_dep + interval '15 minutes') END AS p_os
) AS o
CROSS JOIN LATERAL (
    -- Change requests: approved (p_ack), work started, done, accepted; or rejected.
    SELECT CASE WHEN b.kind = 'change_request' AND b.u_reject >= 0.1 THEN
               a.p_ack + interval '1 hour' + b.u_start * interval '71 hours' END AS p_start
) AS st
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN b.kind = 'change_request' THEN
            st.p_start + interval '1 day' + b.u_res2 * interval '9 days'
        -- Faults fixed remotely are mostly quick ones, before the on-site deadline.
        WHEN b.kind = 'fault' AND b.u_remote < 0.3 AND b.u_res < 0.75 THEN greatest(
            {_at("b.os_w", "b.rep", "b.pace_os * (0.3 + 0.65 * b.u_res2)")},
            a.p_ack + interval '20 minutes')
        ELSE greatest(
            {
    _at(
        "b.res_w",
        "b.rep",
        "b.pace_res * CASE WHEN b.u_res < 0.80 THEN 0.2 + 0.75 * b.u_res2 "
        "WHEN b.u_res < %(late)s THEN 1.0 + 2.0 * b.u_res2 "
        "ELSE 3.0 + 150.0 * b.u_res2 * b.u_res2 END",
    )
},
            coalesce(o.p_os, a.p_ack) + interval '20 minutes')
    END AS p_res
) AS re
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.kind = 'change_request' AND b.u_reject < 0.1 THEN a.p_ack
                ELSE re.p_res + CASE WHEN b.u_close < 0.6
                                     THEN interval '30 minutes' + b.u_close2 * interval '6 hours'
                                     ELSE interval '6 hours' + b.u_close2 * interval '66 hours'
                                END
           END AS p_close
) AS cl
CROSS JOIN LATERAL (
    SELECT {_at("b.res_w", "b.rep", "b.pace_res")} AS p_res_due
) AS du
CROSS JOIN LATERAL (
    SELECT CASE WHEN b.u_cancel < 0.015
                THEN b.rep + interval '5 minutes' + b.u_cancel2 * interval '6 hours' END
           AS p_cancel
) AS ca;
"""

# What has happened by t0 (or before the cancellation), and the state it leaves.
TICKET_SQL = """
CREATE TEMP TABLE bench_t AS
WITH h AS (
    SELECT s.*,
           s.p_cancel IS NOT NULL AND s.p_cancel <= %(t0)s
               AND s.p_cancel < coalesce(s.p_res, s.p_close, 'infinity') AS cancelled
    FROM bench_steps AS s
), e AS (
    SELECT h.*,
           CASE WHEN h.p_ack < hz THEN h.p_ack END AS e_ack,
           CASE WHEN h.p_disp < hz THEN h.p_disp END AS e_disp,
           CASE WHEN h.p_dep < hz THEN h.p_dep END AS e_dep,
           CASE WHEN h.p_os < hz THEN h.p_os END AS e_os,
           CASE WHEN h.p_start < hz THEN h.p_start END AS e_start,
           CASE WHEN h.p_res < hz THEN h.p_res END AS e_res,
           CASE WHEN h.p_close < hz THEN h.p_close END AS e_close
    FROM h
    CROSS JOIN LATERAL (
        SELECT CASE WHEN h.cancelled THEN h.p_cancel ELSE %(t0)s + interval '1 microsecond' END
               AS hz
    ) AS z
), s AS (
    SELECT e.*,
           CASE
               WHEN e.cancelled THEN 'cancelled'
               WHEN e.kind = 'change_request' THEN
                   CASE WHEN e.u_reject < 0.1 AND e.e_close IS NOT NULL THEN 'rejected'
                        WHEN e.e_close IS NOT NULL THEN 'accepted'
                        WHEN e.e_res IS NOT NULL THEN 'done'
                        WHEN e.e_start IS NOT NULL THEN 'in_progress'
                        WHEN e.e_ack IS NOT NULL THEN 'approved'
                        ELSE 'submitted' END
               WHEN e.e_close IS NOT NULL THEN 'closed'
               WHEN e.e_res IS NOT NULL THEN 'resolved'
               WHEN e.e_os IS NOT NULL THEN 'on_site'
               WHEN e.e_dep IS NOT NULL THEN 'en_route'
               WHEN e.e_disp IS NOT NULL THEN 'dispatched'
               WHEN e.e_ack IS NOT NULL THEN 'acknowledged'
               ELSE 'new'
           END AS stage
    FROM e
), w AS (
    -- Most tickets open for weeks are waiting on the customer, since a
    -- moment before their resolution deadline where there was still time.
    SELECT s.*,
           CASE WHEN s.stage IN ('acknowledged', 'on_site') AND s.kind <> 'change_request'
                     AND s.u_wait < CASE WHEN s.u_res >= %(late)s THEN 0.6 ELSE 0.1 END
                     AND coalesce(s.e_os, s.e_ack) < %(t0)s
                THEN coalesce(s.e_os, s.e_ack) + s.u_wait2 * (
                    CASE WHEN s.p_res_due > coalesce(s.e_os, s.e_ack)
                         THEN least(%(t0)s, s.p_res_due) ELSE %(t0)s END
                    - coalesce(s.e_os, s.e_ack))
           END AS wait_at
    FROM s
)
SELECT w.*,
       CASE WHEN w.wait_at IS NOT NULL THEN 'waiting_customer' ELSE w.stage END AS state,
       CASE WHEN w.wait_at IS NOT NULL THEN w.stage ELSE '' END AS state_before_wait,
       CASE WHEN w.cancelled THEN w.p_cancel ELSE w.e_close END AS closed_at,
       CASE WHEN w.kind = 'change_request' THEN w.e_start ELSE w.e_disp END AS dispatched_at,
       CASE WHEN w.e_dep IS NOT NULL THEN w.e_disp + (w.e_dep - w.e_disp) / 2 END AS accepted_at,
       CASE WHEN w.e_disp IS NOT NULL THEN
           eng.engineers[1 + floor(w.u_eng * cardinality(eng.engineers))::int] END AS engineer_id,
       (w.stage = 'closed' AND w.u_confirm < 0.4) OR w.stage = 'accepted' AS confirmed,
       extract(year FROM w.rep AT TIME ZONE %(tz)s)::int AS year
FROM w LEFT JOIN bench_eng AS eng ON eng.branch_id = w.branch_id
"""

NUMBERS_SQL = """
ALTER TABLE bench_t ADD COLUMN number text, ADD COLUMN id bigint;
UPDATE bench_t AS t
SET number = n.year || '-' || lpad(n.seq::text, greatest(6, length(n.seq::text)), '0')
FROM (
    SELECT b.g, b.year,
           row_number() OVER (PARTITION BY b.year ORDER BY b.rep, b.g) + coalesce(ts.last, 0)
               AS seq
    FROM bench_t AS b LEFT JOIN tickets_ticketsequence AS ts USING (year)
) AS n
WHERE n.g = t.g;
"""

INSERT_TICKETS_SQL = """
INSERT INTO tickets_ticket (
    number, kind, priority, channel, state, phase, covered, terms_applied, summary,
    description, reported_at, state_before_wait, acknowledged_at, dispatched_at, accepted_at,
    departed_at, on_site_at, resolved_at, closed_at, confirmed_by_customer, created_at,
    updated_at, assigned_engineer_id, branch_id, contact_id, contract_id, covered_item_id,
    created_by_id, customer_id, site_id
)
SELECT t.number, t.kind, t.priority,
       CASE WHEN t.u_chan < 0.55 THEN 'phone' WHEN t.u_chan < 0.8 THEN 'portal'
            WHEN t.u_chan < 0.9 THEN 'email' ELSE 'api' END,
       t.state, t.phase, t.covered, t.snapshot,
       sm.summaries[1 + floor(t.u_summary * cardinality(sm.summaries))::int],
       '', t.rep, t.state_before_wait, t.e_ack, t.dispatched_at, t.accepted_at, t.e_dep, t.e_os,
       CASE WHEN t.state = 'rejected' THEN NULL ELSE t.e_res END,
       t.closed_at, t.confirmed, t.rep,
       greatest(t.rep, t.e_ack, t.dispatched_at, t.e_dep, t.e_os, t.e_res, t.closed_at, t.wait_at),
       t.engineer_id, t.branch_id, t.contact_id, t.contract_id, t.item_id,
       (%(agents)s::bigint[])[1 + floor(t.u_agent * cardinality(%(agents)s::bigint[]))::int],
       t.customer_id, t.site_id
FROM bench_t AS t
JOIN (
    SELECT kind, summaries
    FROM unnest(%(summary_kinds)s::text[], %(summary_lists)s::text[]) AS u(kind, list)
    CROSS JOIN LATERAL (SELECT string_to_array(u.list, '|') AS summaries) AS l
) AS sm USING (kind)
ORDER BY t.rep, t.g;

UPDATE bench_t AS t SET id = x.id FROM tickets_ticket AS x WHERE x.number = t.number;
"""

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
    next_step_at, status, stopped_at, warned_at, breached_at, created_at, updated_at
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
       greatest(c.started, c.stop_at, c.pause_at, c.warned, b.breached_at)
FROM bench_clock AS c
CROSS JOIN LATERAL (
    -- As tickets.clocks: a clock stopped or cancelled after its target is breached.
    SELECT CASE WHEN c.breach_fired OR c.stop_at > c.target
                THEN c.target END AS breached_at
) AS b
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
    created_at, updated_at
)
SELECT n.user_id, s.ticket_id, s.id,
       '[' || t.number || '] ' || s.kind || ' ' || k.kind, '', '{}', s.acknowledged_at,
       s.fired_at, 0, s.fired_at, coalesce(s.acknowledged_at, s.fired_at)
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


@dataclass
class UiDataset:
    reference: datetime
    first_id: int
    days: int
    tickets: int
    demo_tickets: int
    by_state: dict[str, int]
    open_tickets: int
    unacknowledged: int
    waiting: int
    open_breached: int
    covered: int
    clocks: int
    clocks_by_status: dict[str, int]
    at_risk_now: int
    steps: int
    notifications: int
    customers: int
    contracts: int
    sites: int
    engineers: int
    seconds: float
    checked: int


def _phase_spans(contract: Contract, first: date, last: date, tz: ZoneInfo) -> list[tuple]:
    """(phase, since, until) runs of the contract's phase over local dates first..last."""
    spans: list[list] = []
    day = first
    while day <= last:
        phase = str(contract.phase_on(day))
        midnight = datetime.combine(day, datetime.min.time(), tzinfo=tz)
        if spans and spans[-1][0] == phase:
            spans[-1][2] = midnight + timedelta(days=1)
        else:
            spans.append([phase, midnight, midnight + timedelta(days=1)])
        day += timedelta(days=1)
    spans[-1][2] = datetime(9999, 1, 1, tzinfo=tz)
    spans[0][1] = datetime(1970, 1, 1, tzinfo=tz)
    return [tuple(s) for s in spans]


def _load_lookups(cursor, *, slots, reference, days, tz, schedules, rules) -> None:
    cursor.execute(LOOKUPS_SQL)
    total_weight = sum(s.weight for s in slots)
    contracts = {
        c.pk: c
        for c in Contract.objects.prefetch_related(
            "terms__response_calendar", "terms__onsite_calendar", "terms__resolution_calendar"
        )
    }
    lo = 0.0
    rows = []
    for i, slot in enumerate(slots):
        hi = 1.0 if i == len(slots) - 1 else lo + slot.weight / total_weight
        manager = contracts[slot.contract_id].service_manager_id if slot.contract_id else None
        rows.append(
            (
                lo,
                hi,
                slot.customer_id,
                slot.contract_id,
                slot.site_id,
                slot.branch_id,
                slot.item_id,
                slot.item_is_hardware,
                slot.contact_ids,
                manager,
            )
        )
        lo = hi
    cursor.executemany(
        "INSERT INTO bench_slot VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
    )

    today = reference.astimezone(tz).date()
    first = today - timedelta(days=days + 1)
    used_calendars: set[int] = set()
    spans, covers = [], []
    for contract in contracts.values():
        for phase, since, until in _phase_spans(contract, first, today + timedelta(days=1), tz):
            spans.append((contract.pk, phase, since, until))
            for priority in PRIORITIES:
                terms = contract.terms_for(phase, priority) if phase in SERVICE_PHASES else None
                snapshot = json.dumps(terms_snapshot(contract, phase, terms))
                if terms is None:
                    covers.append((contract.pk, phase, priority, False, snapshot, *[None] * 11))
                    continue

                def work(calendar_id):
                    if schedules.get(calendar_id).always_on:
                        return None
                    used_calendars.add(calendar_id)
                    return calendar_id

                covers.append(
                    (
                        contract.pk,
                        phase,
                        priority,
                        True,
                        snapshot,
                        terms.response_minutes * 60,
                        terms.response_calendar_id,
                        work(terms.response_calendar_id),
                        terms.onsite_minutes * 60 if terms.onsite_minutes else None,
                        terms.onsite_calendar_id,
                        work(terms.onsite_calendar_id),
                        terms.resolution_minutes * 60 if terms.resolution_minutes else None,
                        terms.resolution_calendar_id,
                        work(terms.resolution_calendar_id),
                        terms.repair_days,
                        terms.pause_on_customer,
                    )
                )
    cursor.executemany("INSERT INTO bench_span VALUES (%s, %s, %s, %s)", spans)
    cursor.executemany(
        "INSERT INTO bench_cover VALUES "
        "(%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        covers,
    )

    # Working intervals from before the oldest report to four years later,
    # far past every clock's last threshold (a plan's longest waits can go
    # further: they never happen).
    cursor.execute(WORK_SQL)
    start = datetime.combine(first - timedelta(days=2), datetime.min.time(), tzinfo=tz)
    end = reference + timedelta(days=4 * 366)
    for calendar_id in sorted(used_calendars):
        schedule = schedules.get(calendar_id)
        pieces = explain_addition(schedule, start, working_time_between(schedule, start, end))
        work_rows, cum = [], 0
        for a, b in pieces:
            length = (b - a) // timedelta(microseconds=1)
            work_rows.append((calendar_id, a, b, cum, length, cum + length))
            cum += length
        cursor.executemany("INSERT INTO bench_work VALUES (%s, %s, %s, %s, %s, %s)", work_rows)

    engineers: dict[int, list[int]] = {}
    for pk, branch_id in User.objects.filter(
        groups__name=Role.ENGINEER, is_active=True
    ).values_list("pk", "branch_id"):
        engineers.setdefault(branch_id, []).append(pk)
    cursor.executemany(
        "INSERT INTO bench_eng VALUES (%s, %s)", [(b, sorted(e)) for b, e in engineers.items()]
    )
    cursor.executemany(
        "INSERT INTO bench_rule VALUES (%s, %s, %s, %s, %s, %s)",
        [(r.pk, r.clock_kind, r.kind, r.tier, r.percent, r.extra_minutes) for r in rules],
    )
    # Who acknowledges (and, for leadership, is notified of) each tier's steps.
    tier_users = [
        (Tier.IMPLEMENTATION, "agent"),
        (Tier.MANAGEMENT, "manager"),
        (Tier.LEADERSHIP, "leader"),
    ]
    cursor.executemany(
        "INSERT INTO bench_tier_user VALUES (%s, %s)",
        [(str(t), User.objects.get(username=u).pk) for t, u in tier_users],
    )
    cursor.execute("ANALYZE bench_slot, bench_span, bench_cover, bench_work, bench_eng")


def _check_sample(first_id: int, reference: datetime, size: int = 400) -> int:
    """Recompute a sample of clocks with the project's own code: the SQL must agree.

    Half the sample counts business hours. Paused clocks are left out: pausing
    keeps the at-risk moment of before, which a recomputation would drop.
    """
    rules, schedules = active_rules(), ScheduleCache()
    base = SlaClock.objects.filter(ticket_id__gte=first_id).exclude(status="paused")
    business = [
        calendar_id
        for calendar_id in base.values_list("calendar_id", flat=True).distinct()
        if not schedules.get(calendar_id).always_on
    ]
    sample = list(base.filter(calendar_id__in=business).order_by("?")[: size // 2])
    sample += list(base.exclude(calendar_id__in=business).order_by("?")[: size - len(sample)])
    fired: dict[int, list[int]] = {}
    for clock_id, rule_id in EscalationStep.objects.filter(
        clock_id__in=[c.pk for c in sample]
    ).values_list("clock_id", "rule_id"):
        fired.setdefault(clock_id, []).append(rule_id)
    for stored in sample:
        fresh = SlaClock(
            kind=stored.kind,
            calendar_id=stored.calendar_id,
            budget_seconds=stored.budget_seconds,
            started_at=stored.started_at,
            stopped_at=stored.stopped_at,
            status=stored.status,
        )
        # Only paused clocks have a pause (an open one), and they are left out.
        clock_recompute(
            fresh,
            schedules=schedules,
            rules=rules,
            fired_rule_ids=fired.get(stored.pk, ()),
            pauses=[],
        )
        for name in ("target_at", "at_risk_at", "next_step_at"):
            if getattr(fresh, name) != getattr(stored, name):
                raise RuntimeError(
                    f"clock {stored.pk} ({stored.kind}, calendar {stored.calendar_id}) {name}: "
                    f"SQL gave {getattr(stored, name)}, tickets.clocks gives {getattr(fresh, name)}"
                )
        outcome_ok = (
            (stored.status == "met" and stored.stopped_at <= stored.target_at)
            or (stored.status == "breached" and stored.breached_at == stored.target_at)
            or (stored.status == "running" and stored.target_at > reference)
            or stored.status == "cancelled"
        )
        if not outcome_ok:
            raise RuntimeError(f"clock {stored.pk}: status {stored.status} does not fit its times")
    return len(sample)


CONSISTENCY_SQL = {
    "a running clock past its target": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND status = 'running' AND target_at <= %(t0)s"
    ),
    "a met clock stopped after its target": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND status = 'met' AND stopped_at > target_at"
    ),
    "a clock stopped after t0": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s "
        "AND stopped_at > %(t0)s"
    ),
    "an open ticket with a stopped resolution clock": (
        "SELECT count(*) FROM tickets_slaclock AS c JOIN tickets_ticket AS t ON t.id = c.ticket_id "
        "WHERE t.id >= %(first_id)s AND c.kind = 'resolution' AND c.stopped_at IS NOT NULL "
        "AND t.state = ANY(%(open)s::text[])"
    ),
    "a finished ticket with a clock still counting": (
        "SELECT count(*) FROM tickets_slaclock AS c JOIN tickets_ticket AS t ON t.id = c.ticket_id "
        "WHERE t.id >= %(first_id)s AND c.stopped_at IS NULL AND t.state <> ALL(%(open)s::text[])"
    ),
    "a workflow moment out of order": (
        "SELECT count(*) FROM tickets_ticket WHERE id >= %(first_id)s AND NOT ("
        "coalesce(acknowledged_at >= reported_at, true) "
        "AND coalesce(dispatched_at >= acknowledged_at, true) "
        "AND coalesce(departed_at >= dispatched_at, true) "
        "AND coalesce(on_site_at >= departed_at, true) "
        "AND coalesce(resolved_at >= coalesce(on_site_at, acknowledged_at), true) "
        "AND coalesce(closed_at >= reported_at, true) "
        "AND greatest(reported_at, acknowledged_at, dispatched_at, departed_at, on_site_at, "
        "resolved_at, closed_at) <= %(t0)s)"
    ),
    "a clock moment past the working-interval table": (
        "SELECT count(*) FROM tickets_slaclock WHERE ticket_id >= %(first_id)s AND ("
        "target_at = 'infinity' OR at_risk_at = 'infinity' OR next_step_at = 'infinity')"
    ),
    "a step recorded twice": (
        "SELECT count(*) - count(DISTINCT (clock_id, rule_id)) FROM tickets_escalationstep"
    ),
}


def ui_dataset_create(
    *, reference: datetime, total: int, days: int, slots: list[Slot], seed: float, log
) -> UiDataset:
    """Fill a freshly migrated demo database with `total` tickets over the last `days` days."""
    if Ticket.objects.count() > 1000:
        raise RuntimeError(
            "the database already holds many tickets: the benchmark needs a fresh one"
        )
    tz = ZoneInfo(settings.TIME_ZONE)
    rules = active_rules()
    if not rules:
        raise RuntimeError("no active escalation rule")
    schedules = ScheduleCache()
    first_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    local_today = reference.astimezone(tz).date()
    params = {
        "t0": reference,
        "tz": settings.TIME_ZONE,
        "total": total,
        "days": days,
        "midnight": datetime.combine(local_today, datetime.min.time(), tzinfo=tz),
        # Share of tickets in the long tail of late resolutions: 1 - late.
        "late": 0.87,
        "first_id": first_id,
        "open": [str(s) for s in OPEN_STATES],
        "agents": list(
            User.objects.filter(groups__name=Role.AGENT).order_by("pk").values_list("pk", flat=True)
        ),
        "summary_kinds": list(SUMMARIES),
        "summary_lists": ["|".join(v) for v in SUMMARIES.values()],
    }
    mark = _at("c.wcal", "c.started", "(c.budget * r.percent / 100 + r.extra * 60)")
    target = _at("c.wcal", "c.started", "c.budget")
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"{message} ({time.perf_counter() - started:.0f} s so far)")

    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SELECT setseed(%s)", [seed])
        _load_lookups(
            cursor,
            slots=slots,
            reference=reference,
            days=days,
            tz=tz,
            schedules=schedules,
            rules=rules,
        )
        step(f"drawing {total:,} ticket histories")
        cursor.execute(DRAW_SQL, params)
        cursor.execute(PLAN_SQL, params)
        cursor.execute(TICKET_SQL, params)
        step("inserting tickets")
        cursor.execute(NUMBERS_SQL)
        cursor.execute(INSERT_TICKETS_SQL, params)
        cursor.execute("SELECT count(*) FROM bench_t WHERE id IS NULL")
        if cursor.fetchone()[0]:
            raise RuntimeError("some generated tickets could not be matched to their rows")
        cursor.execute(SEQUENCE_SQL)
        step("computing clocks and escalation thresholds")
        cursor.execute(CLOCKS_PLAN_SQL.format(mark=mark, target=target), params)
        step("inserting clocks, pauses, escalation steps and notifications")
        cursor.execute(INSERT_CLOCKS_SQL, params)
        cursor.execute(INSERT_STEPS_SQL, params)
        for table in ("bench_draw", "bench_plan", "bench_steps", "bench_t", "bench_c", "bench_m"):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute("DROP TABLE bench_clock")
        step("vacuum and analyze")
        cursor.execute(
            "VACUUM (ANALYZE) tickets_ticket, tickets_slaclock, tickets_clockpause, "
            "tickets_escalationstep, tickets_notification"
        )
        cursor.execute("ANALYZE")
        cursor.execute("RESET work_mem")
        cursor.execute("RESET maintenance_work_mem")
        for problem, sql in CONSISTENCY_SQL.items():
            cursor.execute(sql, params)
            found = cursor.fetchone()[0]
            if found:
                raise RuntimeError(f"the dataset is wrong: {found} × {problem}")
    seconds = time.perf_counter() - started
    due = SlaClock.objects.filter(next_step_at__lte=reference).count()
    if due:
        raise RuntimeError(f"{due} clocks are due right after loading: the dataset is wrong")
    checked = _check_sample(first_id, reference)
    described = _describe(reference=reference, first_id=first_id, days=days, seconds=seconds)
    return UiDataset(**described, checked=checked)


def _describe(*, reference: datetime, first_id: int, days: int, seconds: float) -> dict:
    from django.db.models import Count

    from contracts.models import Customer, Site
    from tickets.models import Notification

    tickets = Ticket.objects.filter(pk__gte=first_id)
    clocks = SlaClock.objects.filter(ticket_id__gte=first_id)
    by_state = dict(
        tickets.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    open_tickets = tickets.filter(state__in=OPEN_STATES)
    return {
        "reference": reference,
        "first_id": first_id,
        "days": days,
        "tickets": tickets.count(),
        "demo_tickets": Ticket.objects.filter(pk__lt=first_id).count(),
        "by_state": dict(sorted(by_state.items(), key=lambda kv: -kv[1])),
        "open_tickets": open_tickets.count(),
        "unacknowledged": open_tickets.filter(state__in=["new", "submitted"]).count(),
        "waiting": open_tickets.filter(state="waiting_customer").count(),
        "open_breached": open_tickets.filter(
            pk__in=SlaClock.objects.breached(reference).values("ticket_id")
        ).count(),
        "covered": tickets.filter(covered=True).count(),
        "clocks": clocks.count(),
        "clocks_by_status": dict(
            clocks.order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        ),
        "at_risk_now": clocks.at_risk(reference).count(),
        "steps": EscalationStep.objects.filter(ticket_id__gte=first_id).count(),
        "notifications": Notification.objects.filter(ticket_id__gte=first_id).count(),
        "customers": Customer.objects.count(),
        "contracts": Contract.objects.count(),
        "sites": Site.objects.count(),
        "engineers": User.objects.filter(groups__name=Role.ENGINEER).count(),
        "seconds": seconds,
    }


def seed_value(text: str) -> float:
    """A setseed() argument in [-1, 1] from any string."""
    return random.Random(text).uniform(-1, 1)
