"""The page dataset's tickets (bench/ui_dataset.py): random draws, the planned history of
each ticket, what of it has happened by the reference instant, their numbers and rows."""

from bench.sla_dataset import SEQUENCE_SQL
from bench.ui_lookups import sql_moment_when_used

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
    sql_moment_when_used(
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
    sql_moment_when_used(
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
            {sql_moment_when_used("b.os_w", "b.rep", "b.pace_os * (0.3 + 0.65 * b.u_res2)")},
            a.p_ack + interval '20 minutes')
        ELSE greatest(
            {
    sql_moment_when_used(
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
    SELECT {sql_moment_when_used("b.res_w", "b.rep", "b.pace_res")} AS p_res_due
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


def tickets_insert(cursor, params: dict, step) -> None:
    """Draw `params["total"]` histories and insert their tickets; `step` logs progress."""
    step(f"drawing {params['total']:,} ticket histories")
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
