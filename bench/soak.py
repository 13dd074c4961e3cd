"""The soak: the real local stack under kills (`python -m bench.soak`, via `bench/run soak`).

`bench/run soak` starts the stack exactly as `bin/serve` does (same script,
same supervisord configuration) in var/soak/ on ports of its own, then runs
this module, which:

1. creates P1 fault tickets through the REST API (gunicorn, as the hotline
   agent) at a steady rate, each reported far enough in the past that its
   first escalation step (the response warning) falls due 5 to 60 s after
   the ticket is created: steps fall due all through the run, none at once;
2. kills the Celery worker twice and Redis once with SIGKILL, at a quarter,
   a half and three quarters of the run, as a crash would;
3. waits until every step due by the end should have been recorded, then
   reads the database: steps fired, detection latency (due_at -> the moment
   the row was written, `created_at`) p50/p99/max overall and outside the
   kill windows (from a sweep interval before a kill until the process
   works again + 10 s),
   duplicates (steps, escalation events or notifications recorded twice),
   lost steps (due by the end by the engine's own arithmetic, not recorded),
   the restarts supervisord saw (var/soak/log/events.log), and how long each
   killed process took to be RUNNING again and to work again (Redis answers
   PING, the worker answers a Celery control ping).

Results go to the soak block of docs/PERFORMANCE.md (bench/report_file.py:
the previous soak condensed to one history line). Exits non-zero only on an
error; a missed goal is a result.

The stack is reached in bench/soak_stack.py, the load made and counted in
bench/soak_measures.py, the report written by bench/soak_report.py.
"""

import argparse
import os
import socket
import sys
from pathlib import Path

import django

from bench.machine import machine
from bench.soak_measures import log, run
from bench.soak_report import section, write
from bench.soak_stack import Stack

ROOT = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=6)
    parser.add_argument("--rate", type=float, default=1.0, help="tickets per second")
    parser.add_argument("--min-lead", type=int, default=5)
    parser.add_argument("--max-lead", type=int, default=60)
    parser.add_argument("--serve-dir", type=Path, default=ROOT / "var" / "soak")
    parser.add_argument("--url", default=os.environ.get("SOAK_URL", "http://127.0.0.1:8031"))
    parser.add_argument("--label", default="soak", help="SERVE_LABEL the stack runs with")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from django.conf import settings

    args.sweep_seconds = settings.SLA_SWEEP_SECONDS
    args.redis_port = int(settings.CELERY_BROKER_URL.rsplit(":", 1)[1].split("/")[0])
    args.worker_name = f"{args.label}@{socket.gethostname()}"
    stack = Stack(args.serve_dir, args.url)
    results = run(args, stack)
    results.sweep_seconds = args.sweep_seconds
    m = machine()
    described = (
        f"{m['cpu']}, {m['cores']} cores, {m['ram']} RAM; PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, Django {m['django']}; load {m['load']}"
    )
    latest = section(results, described)
    print(latest)
    write(args.output, latest)
    log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
