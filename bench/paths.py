"""Paths the benchmarks ask for that depend on the date of the run. No Django here: the
Locust process imports it too."""

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MONTH_DAYS = 30


def dashboard_month_path(now: datetime | None = None) -> str:
    """The SLA dashboard over the 30 days up to today, in the service time zone.

    "This month" on the 1st is a day of figures and on the 30th a whole month, so a run's
    result would depend on its date; the 30 days up to today are always a month's worth
    (the datasets put their history right behind the moment of the run)."""
    zone = ZoneInfo(os.environ.get("TIME_ZONE") or "Asia/Shanghai")
    today = (now or datetime.now(zone)).astimezone(zone).date()
    first = today - timedelta(days=MONTH_DAYS - 1)
    return f"/dashboard/?period=custom&start={first.isoformat()}&end={today.isoformat()}"


DASHBOARD_MONTH_LABEL = (
    "manager dashboard, the last 30 days: `GET /dashboard/?period=custom&start=…&end=…`"
)
