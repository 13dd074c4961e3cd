"""What every benchmark measures with: percentiles, SQL statements timed, cProfile shares."""

import cProfile
import pstats
import re
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection


def quantile(samples: list[float], percent: int) -> float:
    """The inclusive percentile, so p99 of 500 samples is not pulled past the largest one."""
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[percent - 1]


@dataclass
class QueryLog:
    """Every SQL statement run inside `recording`, with its time, grouped by statement and table."""

    count: int = 0
    seconds: float = 0.0
    by_statement: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def top(self, n: int = 5) -> list[tuple[str, int, float]]:
        rows = [(k, len(v), sum(v)) for k, v in self.by_statement.items()]
        return sorted(rows, key=lambda r: r[2], reverse=True)[:n]


_FROM = re.compile(r'\bFROM\s+"(\w+)"', re.IGNORECASE)
_LOCK = re.compile(r"\bFOR (NO KEY )?UPDATE\b")


def _label(sql: str) -> str:
    """'SELECT tickets_slaclock FOR UPDATE', 'INSERT tickets_ticketevent', 'SAVEPOINT'."""
    words = [word.strip('"') for word in sql.split(None, 3)]
    verb = words[0].upper()
    if verb == "INSERT" and len(words) > 2:
        return f"INSERT {words[2]}"
    if verb == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    if verb == "SELECT":
        table = _FROM.search(sql)
        lock = " FOR UPDATE" if _LOCK.search(sql) else ""
        return f"SELECT {table.group(1) if table else '(no table)'}{lock}"
    return verb


@contextmanager
def recording():
    log = QueryLog()

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            log.count += 1
            log.seconds += elapsed
            log.by_statement[_label(sql)].append(elapsed)

    with connection.execute_wrapper(wrapper):
        yield log


def profiled(call, parts: list[tuple[str, str, str]]) -> list[tuple[str, float]]:
    """Run `call` under cProfile; the share of its time spent in each named function.

    `parts` holds (label, end of the file path, function name). cProfile slows
    Python down, not the database, so the shares lean towards Python; they
    rank the costs, the timed measures give the figures.
    """
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(call)
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats
    shares = []
    for label, path, name in parts:
        seconds = sum(
            row[3]
            for (filename, _line, function), row in stats.items()
            if function == name and filename.replace("\\", "/").endswith(path)
        )
        if seconds:
            shares.append((label, seconds / total))
    return shares
