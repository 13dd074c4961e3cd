"""docs/PERFORMANCE.md: one block per benchmark, its latest run in full, earlier runs one line each.

Every benchmark writes its results with `write_run`. A block looks like

    <!-- sla:begin -->
    ## The SLA engine (`bench/run sla`)

    Goals and method (`about`, from the benchmark's module).

    <!-- summary: - 2026-11-25 07:44 UTC (load 1.48): ... -->
    ### Latest run: 2026-11-25 07:44 UTC

    ... the whole report of the latest run ...

    ### History

    - 2026-11-25 07:20 UTC: ... (one line per earlier run, newest first)
    <!-- sla:end -->

A new run replaces "Latest run" and moves the one-line summary of the run it
replaces (kept in the invisible `summary` comment) to the top of the History.
Blocks stay in the order of `ORDER`; text outside the blocks (the intro) is
never touched. Plain text in, plain text out: no Django, so it can be tested
on a temporary file.
"""

import re
from pathlib import Path

# The order of the blocks in the file.
ORDER = ("scale", "load", "sla", "ui", "pdf", "soak")

INTRO = """# Performance

Benchmarks of the service desk, each with its goals: every page and the
escalation engine at 20,000, 100,000 and 1,000,000 tickets with the growth
from the smallest size to the largest (scale), the `bin/serve` stack under a
realistic load driven by Locust (load), the SLA engine at a million tickets
(sla), the queue and dashboard pages (ui), the PDF reports and the soak (the
`bin/serve` stack under kills). One command runs them:

```
bench/run [scale|load|sla|ui|pdf|soak] [OPTIONS]
```

`bench/run` alone runs the scale benchmark (about 25 minutes on two cores;
`--quick` leaves out the million, `--sizes 20000,100000` chooses), each size
on a fresh database of a throwaway PostgreSQL and Redis (`bin/services`,
ports 54339 and 63809, or `BENCH_PG_PORT` and `BENCH_REDIS_PORT`, data in
`var/bench-services/`, stopped on exit). `bench/run load` starts its own
stack with `bin/serve` in `var/load/`. Options after the name go to its
module (`python -m bench.scale`, `bench.load`, `bench.sla`, `bench.ui`,
`bench.pdf`, `bench.soak`); `--output /tmp/perf.md` writes elsewhere than
this file, for quick tries such as `bench/run scale --sizes 20000 --output
/tmp/perf.md`.

Below, one block per benchmark, in a fixed order: its goals and method, its
latest run in full, then its History, one line per earlier run, newest
first. A missed goal shows as **no**; the run still succeeds. Each run
rewrites its block (`bench/report_file.py`); the one-line summary of the
latest run waits in a hidden `<!-- summary: … -->` comment above it and
moves to the History when the next run replaces it, so a note added by hand
to a latest run is kept only if it is also added to that comment. Text
outside the blocks is never touched.
"""


LATEST = "### Latest run: "
HISTORY = "### History"
NO_HISTORY = "(none yet)"
_SUMMARY = re.compile(r"^<!-- summary: (.*) -->$", re.MULTILINE)


def markers(key: str) -> tuple[str, str]:
    return f"<!-- {key}:begin -->", f"<!-- {key}:end -->"


def _history_line(summary: str) -> str:
    line = " ".join(summary.split())
    return line if line.startswith("- ") else f"- {line}"


def _previous_summary(old: str) -> str | None:
    """The one-liner of the run an old block shows in full, if it shows one."""
    found = _SUMMARY.search(old)
    if found:
        return found.group(1)
    if LATEST in old:
        # A block written by hand without a summary: at least its date.
        title = old.split(LATEST, 1)[1].split("\n", 1)[0].strip()
        return f"{title}: (no summary kept)"
    return None


def _history(old: str) -> list[str]:
    """The History lines of an existing block."""
    if HISTORY not in old:
        return []
    return [ln for ln in old.split(HISTORY, 1)[1].splitlines() if ln.startswith("- ")]


def render_block(key: str, title: str, about: str, latest: str, summary: str, history) -> str:
    begin, end = markers(key)
    latest = latest.strip("\n")
    if not latest.startswith(LATEST):
        raise ValueError(f"the latest run must start with {LATEST!r}")
    lines = "\n".join(history) if history else NO_HISTORY
    return (
        f"{begin}\n## {title}\n\n{about.strip()}\n\n"
        f"<!-- summary: {' '.join(summary.split()).removeprefix('- ')} -->\n{latest}\n\n"
        f"{HISTORY}\n\n{lines}\n{end}\n"
    )


def _insert(text: str, key: str, block: str) -> str:
    """Put a new block before the first block that comes after it in ORDER, else at the end."""
    later = ORDER[ORDER.index(key) + 1 :] if key in ORDER else ()
    positions = [text.find(markers(k)[0]) for k in later]
    positions = [p for p in positions if p >= 0]
    if positions:
        at = min(positions)
        return text[:at] + block + "\n" + text[at:]
    return text.rstrip("\n") + "\n\n" + block


def write_run(path: Path, key: str, *, title: str, about: str, latest: str, summary: str) -> None:
    """Replace the block of benchmark `key` in `path` with `latest` in full.

    `latest` is the markdown of the run, starting with "### Latest run: <date>";
    `summary` is that run's line for the History once a later run replaces it
    (date, machine load, the headline figures against the goals).
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        text = INTRO
    begin, end = markers(key)
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        old, tail = rest.split(end, 1)
        history = _history(old)
        previous = _previous_summary(old)
        if previous:
            history.insert(0, _history_line(previous))
        block = render_block(key, title, about, latest, summary, history)
        text = head + block + tail.removeprefix("\n")
    else:
        text = _insert(text, key, render_block(key, title, about, latest, summary, []))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def yes_or_no(met: bool) -> str:
    """The "met?" cell of a goal: a missed one stands out."""
    return "yes" if met else "**no**"


def shares(rows) -> str:
    """The cProfile shares of a run on one line: "label 12%; label 3%"."""
    return "; ".join(f"{label} {share:.0%}" for label, share in rows) or "n/a"
