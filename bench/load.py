"""The load benchmark: `python -m bench.load`, through `bench/run load`.

`bench/run load` starts the local stack exactly as `bin/serve` does (same
script, gunicorn with bin/serve's workers) in var/load/ on ports of its own,
then runs this module twice:

    python -m bench.load seed [--tickets 20000]   fill the stack's database, write the plan
    python -m bench.load run [--users 180 ...]    Locust headless against gunicorn, the report

`seed` adds bench/ui_dataset.py's customers and histories to the demo data,
gives the demo staff and the benchmark's engineers a password, and writes
the plan bench/locustfile.py reads (who logs in, which tickets they open).
`run` drives the stack with Locust (a subprocess: `locust --headless -u N
-r R --csv ...`) with the mix of bench/locustfile.py for --seconds once all
have logged in, reads its CSV and writes requests per second, p50/p95/p99
and errors, per kind of request and overall, the logins on a line of their
own, into the load block of docs/PERFORMANCE.md. For another run on a stack
that is still up: `seed --plan-only`, then `run`.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TITLE = "The local stack under a realistic load (`bench/run load`)"
GOAL_RPS = 150.0
GOAL_P95_MS = 150.0
ABOUT = f"""Goals, from issue 12: the mix below at ≥ {GOAL_RPS:g} requests per second
on two cores, p95 ≤ {GOAL_P95_MS:g} ms, no errors.

Method: `bench/run load` starts the stack as `bin/serve` does (same script:
PostgreSQL, Redis, gunicorn with its workers, Celery worker and beat under
supervisord) in `var/load/`, adds 20,000 tickets over 92 days
(`bench/ui_dataset.py`) to the demo data, and drives gunicorn over HTTP with
Locust, headless, from the same machine (so Locust's own CPU counts against
the two cores). Every simulated person logs in once through the login form
(CSRF); the figures start when all have (a login hashes the password on
purpose, about a second of CPU here: a warm-up, reported on its own line).
Then: agents poll the queue's rows, load the queue and open tickets;
engineers open their page and their tickets, check in on arrival and log
work (each a POST with its form token); customers view their portal and
tickets; managers open the SLA dashboard. Weights 5 : 2 : 2 : 1, a pause of
0.3–1.5 s between a person's requests, so N people ask for at most about
N / 0.9 requests a second: 180 by default. Figures are Locust's (client side,
so network and queueing in gunicorn included). A request counts only if it
did its job (`bench/load_checks.py`): a page is a 200 with no redirect (the
login page is an error), a post redirects back to the ticket, whose page then
says it was done.
"""


def log(message: str) -> None:
    print(f"[bench.load] {message}", file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bench.load", description=__doc__.splitlines()[0])
    steps = top.add_subparsers(dest="step", required=True)
    seed = steps.add_parser("seed", help="fill the stack's database and write the plan")
    seed.add_argument("--tickets", type=int, default=20_000)
    seed.add_argument("--days", type=int, default=92)
    seed.add_argument("--seed", default="bench.load")
    seed.add_argument("--plan", type=Path, default=ROOT / "var" / "load" / "plan.json")
    seed.add_argument(
        "--plan-only",
        action="store_true",
        help="no tickets added: the plan from the database as it is (another run on the "
        "same stack; the engineers' tickets on the way are those still on the way)",
    )
    run = steps.add_parser("run", help="drive the stack with Locust and report")
    run.add_argument("--url", default="http://127.0.0.1:8041")
    run.add_argument(
        "--users",
        "-u",
        type=int,
        default=180,
        help="simulated people (each asks about once a second: the goal of 150 req/s needs 150+)",
    )
    run.add_argument("--spawn-rate", "-r", type=float, default=20, help="people started a second")
    run.add_argument("--seconds", "-t", type=int, default=60, help="how long the load lasts")
    run.add_argument("--plan", type=Path, default=ROOT / "var" / "load" / "plan.json")
    run.add_argument("--csv", type=Path, default=ROOT / "var" / "load" / "locust")
    run.add_argument("--web-workers", default=os.environ.get("WEB_WORKERS", "2"))
    run.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    return top


# --- seed -------------------------------------------------------------------------


def _seed(args: argparse.Namespace) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from django.conf import settings
    from django.db.models import Q

    from accounts.models import User
    from accounts.roles import Role
    from bench.ui import _fill
    from tickets.models import OPEN_STATES, Ticket
    from tickets.selectors import tickets_visible_to

    if not args.plan_only:
        reference = datetime.now(UTC).replace(microsecond=0)
        _fill(argparse.Namespace(tickets=args.tickets, days=args.days, seed=args.seed), reference)
    password = settings.DEMO_PASSWORD

    def people(role: str) -> list[User]:
        return list(User.objects.filter(groups__name=role, is_active=True).order_by("pk"))

    for engineer in people(Role.ENGINEER):
        if not engineer.has_usable_password() or engineer.username.startswith("bench_"):
            engineer.set_password(password)
            engineer.save(update_fields=["password"])

    def numbers(queryset, limit=200) -> list[str]:
        return list(queryset.order_by("-reported_at").values_list("number", flat=True)[:limit])

    def engineer_plan(user: User) -> dict:
        mine = Ticket.objects.filter(assigned_engineer=user)
        return {
            "username": user.username,
            "on_the_way": numbers(mine.filter(state="en_route"), 20),
            "on_site": numbers(mine.filter(Q(state="on_site") | Q(state="in_progress")), 20),
        }

    usable = [u for u in people(Role.AGENT) if u.has_usable_password()]
    plan = {
        "password": password,
        "open_tickets": numbers(Ticket.objects.filter(state__in=OPEN_STATES), 500),
        "accounts": {
            "agents": [{"username": u.username} for u in usable],
            "managers": [
                {"username": u.username} for u in people(Role.MANAGER) if u.has_usable_password()
            ],
            "engineers": [engineer_plan(u) for u in people(Role.ENGINEER)],
            "customers": [
                {
                    "username": u.username,
                    "tickets": numbers(tickets_visible_to(u, Ticket.objects.all()), 50),
                }
                for u in people(Role.CUSTOMER)
                if u.has_usable_password()
            ],
        },
    }
    for role, accounts in plan["accounts"].items():
        if not accounts:
            raise RuntimeError(f"no {role} to log in as")
    args.plan.parent.mkdir(parents=True, exist_ok=True)
    args.plan.write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k}" for k, v in plan["accounts"].items())
    log(f"plan written to {args.plan}: {counts}")
    return 0


# --- run --------------------------------------------------------------------------


@dataclass
class Row:
    """One line of Locust's stats CSV: a kind of request, or the aggregate."""

    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max_ms: float


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def stats_read(path: Path) -> list[Row]:
    """Locust's `<prefix>_stats.csv`; the "Aggregated" row last."""
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for line in csv.DictReader(f):
            rows.append(
                Row(
                    name=(f"{line['Type']} {line['Name']}".strip() if line["Type"] else "all"),
                    requests=int(line["Request Count"]),
                    failures=int(line["Failure Count"]),
                    rps=_number(line["Requests/s"]),
                    p50=_number(line["50%"]),
                    p95=_number(line["95%"]),
                    p99=_number(line["99%"]),
                    max_ms=_number(line["Max Response Time"]),
                )
            )
    return rows


def login_allowance(users: int) -> int:
    """Seconds the logins may take before the mix starts: each hashes a password (about
    a second of one core's time on a busy machine, two gunicorn workers)."""
    return 120 + 2 * users


def locust_env(args: argparse.Namespace, logins: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LOAD_PLAN": str(args.plan),
        "LOAD_SECONDS": str(args.seconds),
        "LOAD_LOGINS": str(logins),
    }


def locust_command(args: argparse.Namespace) -> list[str]:
    return [
        str(ROOT / ".venv" / "bin" / "locust"),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        args.url,
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        # The mix runs for --seconds once all have logged in (bench/locustfile.py ends
        # it); this is only the bound for a run whose logins never finish.
        "-t",
        f"{args.seconds + login_allowance(args.users)}s",
        "--csv",
        str(args.csv),
        "--only-summary",
        "--loglevel",
        "WARNING",
        # Errors are a result: the report says how many.
        "--exit-code-on-error",
        "0",
    ]


def report(
    rows: list[Row], *, started: datetime, info: dict, args, failures: list[str], logins: dict
) -> tuple:
    from bench.report_file import yes_or_no

    total = next(r for r in rows if r.name == "all")
    login_rows = logins["requests"].values()
    login_count = sum(r["requests"] for r in login_rows)
    login_failures = sum(r["failures"] for r in login_rows)
    errors = total.failures + login_failures
    login = logins["requests"].get("login", {"p50": 0, "p95": 0, "max": 0})
    stamp = started.strftime("%Y-%m-%d %H:%M")
    met_rps, met_p95 = total.rps >= GOAL_RPS, total.p95 <= GOAL_P95_MS
    lines = [
        f"### Latest run: {stamp} UTC",
        "",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; PostgreSQL "
        f"{info['postgresql']}, Python {info['python']}, Django {info['django']}; load "
        f"{info['load']} at the start, {info['load_end']} at the end",
        f"- Load: {args.users} people (started {args.spawn_rate:g} a second), {args.seconds} s, "
        f"gunicorn with {args.web_workers} workers as `bin/serve` starts it",
        f"- Logins first (not in the figures below): {login_count:,} requests in "
        f"{logins['seconds']:g} s, {login_failures} errors; the login post p50 "
        f"{login['p50']:.0f} ms, p95 {login['p95']:.0f} ms, max {login['max']:.0f} ms",
        "",
        "| measure | result | goal | met? |",
        "|---|---|---|---|",
        f"| requests per second | {total.rps:.1f} | ≥ {GOAL_RPS:g} | {yes_or_no(met_rps)} |",
        f"| p95 | {total.p95:.0f} ms | ≤ {GOAL_P95_MS:g} ms | {yes_or_no(met_p95)} |",
        f"| errors | {errors} of {total.requests + login_count:,} (logins included) | 0 "
        f"| {yes_or_no(not errors)} |",
        "",
        "| request | count | errors | per s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    # The logins' rows are empty once the figures start from zero (bench/locustfile.py).
    for r in (r for r in rows if r.requests):
        lines.append(
            f"| {r.name} | {r.requests:,} | {r.failures} | {r.rps:.1f} | {r.p50:.0f} ms "
            f"| {r.p95:.0f} ms | {r.p99:.0f} ms | {r.max_ms:.0f} ms |"
        )
    failures = logins["errors"] + failures
    if failures:
        lines += ["", "Errors (Locust's failures, logins first):", ""]
        lines += [f"- {f}" for f in failures[:10]]
    summary = (
        f"{stamp} UTC: {args.users} people, {total.rps:.1f} req/s (goal ≥ {GOAL_RPS:g}), "
        f"p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms (≤ {GOAL_P95_MS:g}), p99 "
        f"{total.p99:.0f} ms, {errors} errors of {total.requests + login_count:,}"
    )
    return "\n".join(lines) + "\n", summary


def _failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [
            f"{line['Method']} {line['Name']}: {line['Error']} (×{line['Occurrences']})"
            for line in csv.DictReader(f)
        ]


def _run(args: argparse.Namespace) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    django.setup()
    from bench.machine import machine
    from bench.report_file import write_run

    started = datetime.now(UTC)
    info = machine()
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    command = locust_command(args)
    log(" ".join(command))
    logins = Path(f"{args.csv}_logins.json")
    logins.unlink(missing_ok=True)
    subprocess.run(command, check=True, env=locust_env(args, logins))
    info["load_end"] = machine()["load"]
    if not logins.exists():
        log(f"not everyone had logged in after {login_allowance(args.users)} s: no figures")
        return 1
    rows = stats_read(Path(f"{args.csv}_stats.csv"))
    section, summary = report(
        rows,
        started=started,
        info=info,
        args=args,
        failures=_failures(args.csv),
        logins=json.loads(logins.read_text(encoding="utf-8")),
    )
    print(section)
    write_run(args.output, "load", title=TITLE, about=ABOUT, latest=section, summary=summary)
    log(f"written to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return _seed(args) if args.step == "seed" else _run(args)


if __name__ == "__main__":
    sys.exit(main())
