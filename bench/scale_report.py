"""The scale benchmark's section of docs/PERFORMANCE.md: each measure at each size, its growth."""

from datetime import UTC, datetime

from bench.paths import DASHBOARD_MONTH_LABEL
from bench.report_file import shares, yes_or_no

# key: (label, goal in ms, whether the page must not grow with history)
GOALS = {
    "queue": ("agent queue, first page: `GET /desk/` as agent", 20.0, True),
    "ticket": ("one ticket's page: `GET /desk/tickets/<number>/` as agent", 15.0, True),
    "api_list": ("REST list, first page: `GET /api/tickets/` as agent", 15.0, True),
    "dashboard": (DASHBOARD_MONTH_LABEL, 40.0, True),
    "create": ("ticket creation: `POST /api/tickets/` as agent", 15.0, False),
    "sweep": ("escalation sweep, per step", 0.5, False),
    "escalation_mail": ("escalation including its e-mails, per step", 1.0, False),
}

TITLE = "Every page and the engine at 20,000, 100,000 and 1,000,000 tickets (`bench/run scale`)"

GOAL_SIZE = 100_000
MAX_GROWTH = 1.3

ABOUT = f"""Goals, from issue 12, at {GOAL_SIZE:,} tickets (median and p95, server
time): the agent queue's first page ≤ 20 ms, one ticket's page ≤ 15 ms, the
REST list's first page ≤ 15 ms, the manager dashboard for a month ≤ 40
ms (the 30 days up to the run: a full month whatever its date), ticket
creation through the API ≤ 15 ms, the escalation sweep ≤ 0.5 ms per step
and the escalation including its e-mails ≤ 1 ms per step; and from the
smallest size to the largest the queue, the ticket page, the REST list
and the dashboard grow at most ×{MAX_GROWTH} (median against median).

Method: `bench/run` (or `bench/run scale`; `--sizes 20000,100000`, or
`--quick` to leave out the million) gives each size a fresh database of the
throwaway PostgreSQL (migrated once, demo data, then copied), fills it with
`bench/ui_dataset.py`'s set-based SQL (the page benchmark's customers,
contracts and histories, all sizes over the same 92 days, so a bigger size
is a busier desk with more open tickets and more history per month), and
measures in one process through Django's test client with DEBUG off:

1. the pages, as the demo agent and manager (`force_login`): warm-up
   requests, then 30 timed; the number of SQL statements of one more
   request, the EXPLAIN ANALYZE of its slowest statement and a cProfile of
   one more. The ticket page is the oldest open covered ticket's (the one
   with the most history behind it);
2. ticket creation, `POST /api/tickets/` on the demo contract, 100 timed;
3. the escalation sweep, `sweep_due_steps(now=…)` at the moment the next 200
   clocks of the dataset have reached a step (the desk a little later, no
   data changed by hand): three sweeps timed alone, three more followed by
   `notifications_deliver` until the queue of e-mails is empty (Django's
   locmem backend: the cost of the service per message, not of a mail
   server). Per step = the sweep's time (and the delivery's) over the steps
   it recorded; the "p95" column of the sweeps is the worst of the three.
"""


def _size(n: int) -> str:
    return f"{n // 1000:,}k" if n < 1_000_000 else f"{n / 1_000_000:g}M"


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"


def _figures(run: dict) -> dict:
    return {f["key"]: f for f in run["figures"]}


def _goal_run(runs: list[dict]) -> dict:
    exact = [r for r in runs if r["tickets"] == GOAL_SIZE]
    below = [r for r in runs if r["tickets"] <= GOAL_SIZE]
    return exact[0] if exact else (below[-1] if below else runs[0])


def report(runs: list[dict]) -> tuple[str, str]:
    """The markdown of the run (starting with "### Latest run") and its one-line summary."""
    runs = sorted(runs, key=lambda r: r["tickets"])
    first, last, goal_run = runs[0], runs[-1], _goal_run(runs)
    when = min(datetime.fromisoformat(r["started"]) for r in runs).astimezone(UTC)
    stamp = when.strftime("%Y-%m-%d %H:%M")
    info = first["machine"]
    lines = [
        f"### Latest run: {stamp} UTC",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}",
        f"- Software: PostgreSQL {info['postgresql']}, Python {info['python']}, "
        f"Django {info['django']}",
        "- Load average at the start and end of each size: "
        + "; ".join(
            f"{_size(r['tickets'])} {r['machine']['load']} → {r['load_end']}" for r in runs
        ),
    ]
    for r in runs:
        d = r["dataset"]
        lines.append(
            f"- {_size(r['tickets'])}: {d['tickets']:,} tickets over {d['days']} days, "
            f"{d['open']:,} open, {d['clocks']:,} clocks, {d['steps']:,} escalation steps, "
            f"{d['notifications']:,} notifications; generated in {d['seconds']} s"
        )
    sizes = " | ".join(_size(r["tickets"]) for r in runs)
    lines += [
        "",
        f"Median / p95 and SQL statements per request (per step for the engine); "
        f"goals judged at {_size(goal_run['tickets'])}, growth from "
        f"{_size(first['tickets'])} to {_size(last['tickets'])} (medians).",
        "",
        f"| measure | {sizes} | goal | met? | growth | ≤ ×{MAX_GROWTH}? |",
        "|---|" + "---|" * len(runs) + "---|---|---|---|",
    ]
    missed, growth_missed, summary_parts = [], [], []
    for key, (label, goal, flat) in GOALS.items():
        cells, per_size = [], [_figures(r).get(key) for r in runs]
        for fig in per_size:
            cells.append(
                f"{_ms(fig['median_ms'])} / {_ms(fig['p95_ms'])}, {fig['queries']:.3g} q"
                if fig
                else "n/a"
            )
        at_goal = _figures(goal_run).get(key)
        met = bool(at_goal) and at_goal["median_ms"] <= goal and at_goal["p95_ms"] <= goal
        if not met:
            missed.append(key)
        growth_cell, growth_ok = "", ""
        if per_size[0] and per_size[-1] and len(runs) > 1:
            growth = per_size[-1]["median_ms"] / per_size[0]["median_ms"]
            growth_cell = f"×{growth:.2f}"
            if flat:
                growth_ok = yes_or_no(growth <= MAX_GROWTH)
                if growth > MAX_GROWTH:
                    growth_missed.append(key)
        lines.append(
            f"| {label} | {' | '.join(cells)} | ≤ {goal:g} ms | {yes_or_no(met)} "
            f"| {growth_cell} | {growth_ok} |"
        )
        if at_goal:
            grown = f" {growth_cell}" if growth_cell else ""
            summary_parts.append(f"{key} {_ms(at_goal['median_ms'])}{grown}")
    lines += ["", "Details of the largest size:", ""]
    for fig in last["figures"]:
        label = GOALS[fig["key"]][0]
        extra = f" cProfile: {shares(fig['python'])}." if fig.get("python") else ""
        lines.append(f"- {label}: {fig['note']}.{extra}")
    plans = [f for f in last["figures"] if f.get("plan")]
    if plans:
        summary_tag = "<details><summary>Slowest statement of each page, largest size</summary>"
        lines += ["", summary_tag, ""]
        for fig in plans:
            lines += [
                f"{GOALS[fig['key']][0]}, from `{fig['plan_caller']}`:",
                "",
                "```",
                *fig["plan"],
                "```",
                "",
            ]
        lines.append("</details>")
    verdict = (
        "all goals met"
        if not missed and not growth_missed
        else f"missed: {', '.join(missed + [k + ' growth' for k in growth_missed])}"
    )
    summary = (
        f"{stamp} UTC, {', '.join(_size(r['tickets']) for r in runs)}: "
        f"at {_size(goal_run['tickets'])} {'; '.join(summary_parts)}; {verdict}"
    )
    return "\n".join(lines) + "\n", summary
