"""The scale benchmark: `python -m bench.scale`, normally through `bench/run scale`.

Every page and the escalation engine at several sizes of history (20,000,
100,000 and 1,000,000 tickets by default), each size on a fresh database
that `bench/run` prepares, then one report with the growth factor from the
smallest size to the largest. Three steps, so that the shell can give each
size its own database:

    python -m bench.scale sizes [OPTIONS]            the sizes to run, one a line
    python -m bench.scale measure --tickets N [...]  fill the database, measure, save the figures
    python -m bench.scale report [OPTIONS]           the report of the sizes measured

OPTIONS: `--sizes 20000,100000` (or `--quick`: without the million),
`--output FILE` (docs/PERFORMANCE.md), `--results DIR` (var/bench-scale).
The data is bench/ui_dataset.py's, the measures bench/scale_measures.py's,
the report bench/scale_report.py's.
"""

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (20_000, 100_000, 1_000_000)
QUICK_LIMIT = 100_000


def log(message: str) -> None:
    print(f"[bench.scale] {message}", file=sys.stderr, flush=True)


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of ticket counts: {text!r}") from None
    if not sizes or sizes[0] < 1000:
        raise argparse.ArgumentTypeError("each size is at least 1000 tickets")
    return sizes


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--sizes", type=_sizes, default=list(SIZES), help="ticket counts, e.g. 20000,100000"
    )
    common.add_argument(
        "--quick", action="store_true", help=f"skip the sizes above {QUICK_LIMIT:,}"
    )
    common.add_argument("--results", type=Path, default=ROOT / "var" / "bench-scale")
    common.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    common.add_argument("--days", type=int, default=92, help="history reported over these days")
    common.add_argument("--requests", type=int, default=30, help="timed requests per page")
    common.add_argument("--warmup", type=int, default=5)
    common.add_argument("--creations", type=int, default=100, help="timed POST /api/tickets/")
    common.add_argument("--due", type=int, default=200, help="clocks made due per sweep")
    common.add_argument("--rounds", type=int, default=3, help="sweeps of each kind")
    common.add_argument("--seed", default="bench.ui", help="seed of the random histories")
    top = argparse.ArgumentParser(prog="bench.scale", description=__doc__.splitlines()[0])
    steps = top.add_subparsers(dest="step", required=True)
    steps.add_parser("sizes", parents=[common], help="print the sizes to run")
    measure = steps.add_parser("measure", parents=[common], help="measure one size")
    measure.add_argument("--tickets", type=int, required=True)
    steps.add_parser("report", parents=[common], help="write the report of the measured sizes")
    return top


def chosen_sizes(args: argparse.Namespace) -> list[int]:
    return [n for n in args.sizes if not (args.quick and n > QUICK_LIMIT)] or args.sizes[:1]


def _result_path(args: argparse.Namespace, tickets: int) -> Path:
    return args.results / f"{tickets}.json"


def _measure(args: argparse.Namespace) -> int:
    from bench.machine import django_on_postgresql, machine

    if not django_on_postgresql():
        return 2
    from bench import scale_measures
    from bench.ui import _fill

    started = datetime.now(UTC)
    reference = started.replace(microsecond=0)
    info = machine()
    fill_args = argparse.Namespace(tickets=args.tickets, days=args.days, seed=args.seed)
    data = _fill(fill_args, reference)
    figures = scale_measures.pages(warmup=args.warmup, requests=args.requests, log=log)
    figures.append(scale_measures.creation(requests=args.creations, log=log))
    figures += scale_measures.escalation(
        reference=reference, count=args.due, rounds=args.rounds, log=log
    )
    saved = {
        "tickets": args.tickets,
        "started": started.isoformat(),
        "machine": info,
        "load_end": machine()["load"],
        "dataset": {
            "tickets": data.tickets,
            "days": data.days,
            "open": data.open_tickets,
            "clocks": data.clocks,
            "steps": data.steps,
            "notifications": data.notifications,
            "seconds": round(data.seconds),
        },
        "figures": [f.as_json() for f in figures],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    _result_path(args, args.tickets).write_text(json.dumps(saved, indent=1, default=str))
    log(f"{args.tickets:,} tickets measured: {_result_path(args, args.tickets)}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from bench.report_file import write_run
    from bench.scale_report import ABOUT, TITLE, report

    runs = []
    for tickets in chosen_sizes(args):
        path = _result_path(args, tickets)
        if not path.exists():
            print(f"no figures for {tickets:,} tickets ({path})", file=sys.stderr)
            return 1
        runs.append(json.loads(path.read_text()))
    section, summary = report(runs)
    print(section)
    write_run(args.output, "scale", title=TITLE, about=ABOUT, latest=section, summary=summary)
    log(f"written to {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.step == "sizes":
        print("\n".join(str(n) for n in chosen_sizes(args)))
        return 0
    if args.step == "measure":
        return _measure(args)
    return _report(args)


if __name__ == "__main__":
    sys.exit(main())
