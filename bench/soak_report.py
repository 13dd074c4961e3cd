"""The soak block of docs/PERFORMANCE.md: its goals, the report of a run, its history line."""

from pathlib import Path

from bench.instruments import quantile
from bench.report_file import write_run, yes_or_no
from bench.soak_measures import Results

GOAL_P99 = 5.0
GOAL_BACK = 10.0
TITLE = "Soak: the local stack under kills (`bench/run soak`)"
ABOUT = (
    "The stack of `bin/serve` (supervisord, PostgreSQL, Redis, gunicorn, Celery worker "
    "and beat) in `var/soak/`; tickets whose escalation steps fall due all through the "
    "run; the worker killed twice and Redis once with SIGKILL. Goals: 0 lost, "
    "0 duplicated, p99 detection latency ≤ 5 s outside the kill windows, every process "
    "back within 10 s. Method: `bench/soak.py`."
)


def _secs(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _fmt(samples: list[float]) -> str:
    if not samples:
        return "-"
    return (
        f"{quantile(samples, 50):.2f} / {quantile(samples, 99):.2f} / {max(samples):.2f} s "
        f"({len(samples)} steps)"
    )


def verdicts(r: Results) -> dict[str, bool]:
    backs = [k.ready_seconds for k in r.kills]
    return {
        "lost": r.lost == 0,
        "duplicates": r.duplicates == 0,
        "p99": bool(r.latency_outside) and quantile(r.latency_outside, 99) <= GOAL_P99,
        "back": all(b is not None and b <= GOAL_BACK for b in backs),
    }


def section(r: Results, machine: str) -> str:
    ok = {name: yes_or_no(met) for name, met in verdicts(r).items()}
    kills = "\n".join(
        f"| {k.process} | {k.at:%H:%M:%S} | {_secs(k.back_seconds)} | {_secs(k.ready_seconds)} |"
        for k in r.kills
    )
    restarts = ", ".join(f"{name} {n}" for name, n in sorted(r.restarts.items())) or "none"
    return f"""### Latest run: {r.started:%Y-%m-%d %H:%M} UTC

- Machine: {machine}
- Run: {r.minutes:g} min, {r.tickets} tickets through `POST /api/tickets/` \
({r.create_failures} failed attempts, retried), sweep every {r.sweep_seconds:g} s.

| measure | result | goal | met |
|---|---|---|---|
| steps due by the end | {r.expected} | | |
| steps fired | {r.fired} | | |
| lost steps | {r.lost} | 0 | {ok["lost"]} |
| duplicates (steps, escalation events, notifications) | {r.duplicates} \
| 0 | {ok["duplicates"]} |
| detection latency p50 / p99 / max, outside the kill windows | {_fmt(r.latency_outside)} \
| p99 ≤ {GOAL_P99:g} s | {ok["p99"]} |
| detection latency p50 / p99 / max, whole run | {_fmt(r.latency_all)} | | |
| `lateness` column (fired_at − due_at) p50 / p99 / max | {_fmt(r.lateness_all)} | | |
| every killed process working again within {GOAL_BACK:g} s | \
{", ".join(_secs(k.ready_seconds) for k in r.kills)} | ≤ {GOAL_BACK:g} s | {ok["back"]} |

| killed (SIGKILL) | at (UTC) | RUNNING again (supervisord) after | working again after |
|---|---|---|---|
{kills}

Restarts seen by supervisord (PROCESS_STATE_EXITED): {restarts}.
Latency is from the step's `due_at` to the moment its row was written
(`created_at`). "Working again" is when a new Redis server answers, or the
worker answers a Celery control ping (it consumes again); a kill window runs from
one sweep interval before the kill (the sweep the kill prevents) until the
process is working again plus 10 s.
"""


def history_line(latest: str) -> str:
    """One line for a previous run, from its section's own table."""
    title = latest.split("\n", 1)[0].removeprefix("### Latest run: ")

    def cell(label: str) -> str:
        for line in latest.splitlines():
            if line.startswith(f"| {label}"):
                return line.split("|")[2].strip()
        return "?"

    load = next((ln.rsplit("load ", 1)[1] for ln in latest.splitlines() if "; load " in ln), "?")
    return (
        f"- {title} (load {load}): fired {cell('steps fired')}, lost {cell('lost steps')}, "
        f"duplicates {cell('duplicates')}, latency outside kills "
        f"{cell('detection latency p50 / p99 / max, outside')}, back after "
        f"{cell('every killed process')}"
    )


def write(path: Path, latest: str) -> None:
    write_run(path, "soak", title=TITLE, about=ABOUT, latest=latest, summary=history_line(latest))
