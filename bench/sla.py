"""The SLA engine benchmark: `python -m bench.sla`, normally through `bench/run`.

Needs an empty, migrated PostgreSQL database with the demo data loaded (what
`bench/run` provides). Fills it with a large ticket history, measures, prints
the results and writes them to the SLA block of docs/PERFORMANCE.md. Exits
non-zero only on an error; a missed goal is a result like any other.

The dataset is made in bench/sla_dataset.py, the measures taken in
bench/sla_measures.py, the report written by bench/sla_report.py.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import django_on_postgresql, machine
from bench.report_file import write_run
from bench.sla_report import ABOUT, TITLE, report

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=100_000, dest="open_tickets")
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    return parser.parse_args(argv)


def _measure(args: argparse.Namespace, reference: datetime) -> dict:
    """Fill the database, then take the three measures; the report's arguments."""
    # Models can be imported only once Django is set up.
    from bench import sla_dataset, sla_measures
    from tickets.escalation import sweep_due_steps

    # The demo's own tickets may have a step falling due right now: take it
    # first, so that "nothing due" means nothing.
    settled = sweep_due_steps(now=reference)
    log(f"demo tickets settled: {settled.steps} steps recorded")
    data = sla_dataset.dataset_create(
        reference=reference, total=args.tickets, open_tickets=args.open_tickets, log=log
    )
    log(f"dataset ready in {data.seconds:.0f} s: {data.tickets:,} tickets, {data.clocks:,} clocks")
    log("1/3 sweep with nothing due")
    idle = sla_measures.measure_idle_sweep(reference)
    log(f"    median {idle.median_ms:.2f} ms, p95 {idle.p95_ms:.2f} ms")
    log(f"2/3 one sweep with {args.due:,} escalations due")
    due = sla_measures.measure_due_sweep(reference, data, count=args.due)
    log(f"    {due.seconds:.2f} s, {due.steps} steps, {due.notifications} notifications")
    profile = sla_measures.profile_due_sweep(reference, data, count=args.due)
    log(f"    profiled run: {profile.seconds:.2f} s, {profile.sql.seconds:.2f} s in SQL")
    log(f"3/3 ticket creation through the API ({args.requests} requests)")
    creation = sla_measures.measure_creation(requests=args.requests)
    log(f"    median {creation.median_ms:.1f} ms, p99 {creation.p99_ms:.1f} ms")
    return {"data": data, "idle": idle, "due": due, "profile": profile, "creation": creation}


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not django_on_postgresql():
        return 2
    started = datetime.now(UTC)
    info = machine()
    reference = datetime.now(UTC).replace(microsecond=0)
    measured = _measure(args, reference)
    section, summary = report(started=started, info=info, args=args, **measured)
    print(section)
    write_run(args.output, "sla", title=TITLE, about=ABOUT, latest=section, summary=summary)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
