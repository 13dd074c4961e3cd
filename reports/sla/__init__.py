"""SLA figures for the manager's dashboard, the monthly report and the API.

A period is a range of local dates [start, end) in the service time zone
(Asia/Shanghai) applied to `Ticket.reported_at`: a call at 23:30 on 30
November in Shanghai belongs to November although it is 15:30 UTC.

Compliance of a clock kind = met / (met + breached), over the clocks that
are decided. Which clock is met, breached, at risk, running or paused at a
moment is decided by one rule, `tickets.models.clocks` (`clock_outcome` and
`SlaClock.objects.with_outcome`): a clock still running past its target is
breached before the sweep has noticed; running, at-risk and paused clocks are
not decided yet; clocks no longer needed are left out.

Every clock starts when its ticket was reported (`tickets.clocks.clocks_start`),
so the period of a clock is read on `SlaClock.started_at` (indexed) and the
ticket is joined only for the filters and the groups.

Every selector runs a fixed number of queries, whatever the number of
tickets; each takes `now` explicitly and never reads the wall clock. The
compliance figures (per kind, per group, per week) are folded in Python from
one grouped query whose rows number at most a few thousand.
"""
