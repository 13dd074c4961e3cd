"""The page benchmark: `python -m bench.ui`, normally through `bench/run` (or `bench/run ui`).

Needs an empty, migrated PostgreSQL database with the demo data loaded (what
`bench/run` provides). Adds customers, contracts and engineers, fills the
database with three months of tickets, then times the hotline queue's first
page and the manager's SLA dashboard through Django's test client, prints
the results and writes them to the pages block of docs/PERFORMANCE.md.
Exits non-zero only on an error; a missed goal is a result like any other.

The customers come from bench/ui_world.py, the tickets from
bench/ui_dataset.py, the measures from bench/ui_measures.py and the report
from bench/ui_report.py.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import django_on_postgresql, machine
from bench.report_file import write_run
from bench.ui_report import ABOUT, TITLE, report

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench.ui] {message}", file=sys.stderr, flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=92, help="history reported over these days")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", default="bench.ui", help="seed of the random histories")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    return parser.parse_args(argv)


def _fill(args: argparse.Namespace, reference: datetime):
    """The demo data's due steps taken, the world extended, three months of tickets added."""
    from django.utils import timezone

    from bench import ui_dataset, ui_world
    from tickets.escalation import sweep_due_steps

    settled = sweep_due_steps(now=reference)
    log(f"demo tickets settled: {settled.steps} steps recorded")
    ui_world.world_extend(today=timezone.localdate(reference))
    slots = ui_world.world_slots()
    log(f"world: {len(slots)} sites to call from")
    data = ui_dataset.ui_dataset_create(
        reference=reference,
        total=args.tickets,
        days=args.days,
        slots=slots,
        seed=ui_dataset.seed_value(args.seed),
        log=log,
    )
    log(
        f"dataset ready in {data.seconds:.0f} s: {data.tickets:,} tickets, "
        f"{data.open_tickets:,} open, {data.clocks:,} clocks, {data.steps:,} steps"
    )
    return data


def _measure(args: argparse.Namespace) -> list:
    """Every page of `ui_measures.PAGES` measured; the queue must show its full first page."""
    from bench.ui_measures import PAGES, QUEUE_LIMIT, measure_page
    from tickets.models import OPEN_STATES, Ticket

    results = []
    for i, (label, url, username, goal, parts) in enumerate(PAGES, start=1):
        log(f"{i}/{len(PAGES)} {url} as {username}")
        page = measure_page(
            label=label,
            url=url,
            username=username,
            goal_ms=goal,
            warmup=args.warmup,
            requests=args.requests,
            parts=parts,
        )
        log(
            f"    median {page.median_ms:.1f} ms, p95 {page.p95_ms:.1f} ms, "
            f"{page.queries} queries, {page.size / 1024:.0f} KiB"
        )
        results.append(page)
    queue = results[0]
    expected_rows = min(QUEUE_LIMIT, Ticket.objects.filter(state__in=OPEN_STATES).count())
    if queue.rows != expected_rows:
        raise RuntimeError(f"the queue showed {queue.rows} tickets, not {expected_rows}")
    return results


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not django_on_postgresql():
        return 2
    started = datetime.now(UTC)
    info = machine()
    reference = datetime.now(UTC).replace(microsecond=0)
    data = _fill(args, reference)
    pages = _measure(args)
    section, summary = report(started=started, info=info, data=data, pages=pages, args=args)
    print(section)
    write_run(args.output, "ui", title=TITLE, about=ABOUT, latest=section, summary=summary)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
