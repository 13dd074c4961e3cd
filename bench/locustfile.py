"""The load mix of `bench/run load`, for Locust (`locust -f bench/locustfile.py --headless`).

Run by bench/load.py as a subprocess, never imported by the product or the
tests (Locust patches the standard library with gevent on import). Each
simulated person logs in once through the real login form (CSRF token from
the page, as a browser sends it), then works as people at a service desk do:

- agents poll the queue's rows (the page refreshes them every few seconds),
  load the whole queue now and then, and open tickets;
- engineers open their home page and their tickets, check in on arrival
  (once per ticket on the way) and log work;
- customers look at their portal and their tickets;
- managers open the SLA dashboard.

Logging in is a warm-up, not part of the mix: a login hashes the password on
purpose (hundreds of milliseconds of CPU), and 100 people logging in at once
would be the measure. So everyone waits until all have logged in; then the
figures start from zero (Locust's stats reset) and the mix runs for
LOAD_SECONDS; the logins' own figures go to LOAD_LOGINS (JSON) for the report.

A request counts as done only if it did its job (bench/load_checks.py): a page
is a 200 without a redirect (never the login page), a login lands on the
role's page, a post redirects back to the ticket, whose page then says it was
done.

Who logs in and which tickets they open comes from the plan bench/load.py
wrote (LOAD_PLAN, JSON), taken from the seeded database.
"""

import itertools
import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from gevent.event import Event
from gevent.lock import Semaphore
from locust import HttpUser, between, task

# The project's root on the path first: bench/ is not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load_checks import (
    LOGIN_PATH,
    done_problem,
    form_tokens,
    login_problem,
    page_problem,
    post_problem,
)
from bench.paths import dashboard_month_path

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
PASSWORD = PLAN["password"]
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
LOGINS = os.environ.get("LOAD_LOGINS", "")
_lock = Semaphore()
_accounts = {role: itertools.cycle(PLAN["accounts"][role]) for role in PLAN["accounts"]}
# Several simulated people may share an engineer's account: they share its tickets
# too, so that no ticket is checked in twice.
_on_the_way = {a["username"]: list(a["on_the_way"]) for a in PLAN["accounts"]["engineers"]}
_on_site = {a["username"]: list(a["on_site"]) for a in PLAN["accounts"]["engineers"]}
_started = time.monotonic()
_logged_in = 0
_all_in = Event()


def _next_account(role: str) -> dict:
    with _lock:
        return next(_accounts[role])


def _stop(environment) -> None:
    environment.runner.quit()


def _measure_from_now(environment) -> None:
    """All have logged in: keep the logins' figures, start the mix's from zero."""
    stats = environment.runner.stats
    logins = {
        name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "max": entry.max_response_time,
        }
        for (name, _method), entry in stats.entries.items()
    }
    errors = [f"{e.method} {e.name}: {e.error} (×{e.occurrences})" for e in stats.errors.values()]
    if LOGINS:
        Path(LOGINS).write_text(
            json.dumps(
                {
                    "seconds": round(time.monotonic() - _started, 1),
                    "requests": logins,
                    "errors": errors,
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    stats.reset_all()
    gevent.spawn_later(SECONDS, _stop, environment)
    _all_in.set()


class Person(HttpUser):
    abstract = True
    role = ""
    landing = ""
    wait_time = between(0.3, 1.5)

    def on_start(self) -> None:
        self.account = _next_account(self.role)
        try:
            logged_in = self._log_in()
        finally:
            global _logged_in
            _logged_in += 1
            if _logged_in == self.environment.parsed_options.num_users:
                _measure_from_now(self.environment)
        _all_in.wait()
        if not logged_in:
            # Counted as an error already; idle rather than stop, as Locust would start
            # another person in its place and log in again.
            Event().wait()

    def _log_in(self) -> bool:
        tokens = None
        with self.client.get(LOGIN_PATH, name="login form", catch_response=True) as page:
            problem = page_problem(page.status_code, page.url, len(page.history))
            tokens = None if problem else form_tokens(page.text, LOGIN_PATH)
            if problem or not tokens:
                page.failure(problem or "no login form on the page")
                return False
        with self.client.post(
            LOGIN_PATH,
            data={
                "username": self.account["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": tokens[0],
            },
            headers={"Referer": f"{self.host}{LOGIN_PATH}"},
            name="login",
            catch_response=True,
        ) as response:
            problem = login_problem(
                response.status_code, response.url, len(response.history), self.landing
            )
            if problem:
                response.failure(f"{self.account['username']}: {problem}")
                return False
        return True

    def page(self, path: str, name: str) -> str:
        """GET a page the person sees; the text when it was served as asked."""
        with self.client.get(path, name=name, catch_response=True) as response:
            problem = page_problem(response.status_code, response.url, len(response.history))
            if problem:
                response.failure(problem)
                return ""
            return response.text


class Agent(Person):
    role = "agents"
    landing = "/desk/call/"
    weight = 5

    @task(6)
    def poll_rows(self) -> None:
        self.page("/desk/rows/", "/desk/rows/ (poll)")

    @task(2)
    def queue(self) -> None:
        self.page("/desk/", "/desk/")

    @task(3)
    def open_ticket(self) -> None:
        number = random.choice(PLAN["open_tickets"])
        self.page(f"/desk/tickets/{number}/", "/desk/tickets/[number]/")


class Engineer(Person):
    role = "engineers"
    landing = "/m/"
    weight = 2

    @task(3)
    def home(self) -> None:
        self.page("/m/", "/m/")

    @task(2)
    def open_ticket(self) -> None:
        name = self.account["username"]
        mine = _on_site[name] + _on_the_way[name]
        if mine:
            self.page(f"/desk/tickets/{random.choice(mine)}/", "/desk/tickets/[number]/")

    def _post(self, number: str, action: str, data: dict) -> bool:
        """The ticket page, then the form that posts to `action`, as a browser sends it."""
        page = f"/desk/tickets/{number}/"
        target = f"{page}{action}/"
        with self.client.get(page, name="/desk/tickets/[number]/", catch_response=True) as shown:
            problem = page_problem(shown.status_code, shown.url, len(shown.history))
            tokens = None if problem else form_tokens(shown.text, target)
            if problem or not tokens:
                shown.failure(problem or f"no {action} form on the page")
                return False
        with self.client.post(
            target,
            data={**data, "csrfmiddlewaretoken": tokens[0], "form_token": tokens[1]},
            headers={"Referer": f"{self.host}{page}"},
            name=f"/desk/tickets/[number]/{action}/",
            allow_redirects=False,
            catch_response=True,
        ) as posted:
            problem = post_problem(posted.status_code, posted.headers.get("Location", ""), page)
            if problem:
                posted.failure(problem)
                return False
        # Where the browser goes next: the ticket, with the message that it was done.
        name = "/desk/tickets/[number]/ (after a post)"
        with self.client.get(page, name=name, catch_response=True) as after:
            problem = page_problem(after.status_code, after.url, len(after.history))
            problem = problem or done_problem(after.text)
            if problem:
                after.failure(problem)
                return False
        return True

    @task(1)
    def check_in_or_log_work(self) -> None:
        name = self.account["username"]
        with _lock:
            number = _on_the_way[name].pop() if _on_the_way[name] else None
        if number:
            if self._post(number, "check-in", {}):
                _on_site[name].append(number)
        elif _on_site[name]:
            text = "更换电源模块，测试正常"
            self._post(random.choice(_on_site[name]), "work-log", {"text": text})


class Customer(Person):
    role = "customers"
    landing = "/portal/"
    weight = 2

    @task(3)
    def portal(self) -> None:
        self.page("/portal/", "/portal/")

    @task(2)
    def open_ticket(self) -> None:
        numbers = self.account["tickets"]
        if numbers:
            number = random.choice(numbers)
            self.page(f"/portal/tickets/{number}/", "/portal/tickets/[number]/")


class Manager(Person):
    role = "managers"
    landing = "/dashboard/"
    weight = 1

    @task
    def dashboard(self) -> None:
        self.page(dashboard_month_path(), "/dashboard/ (the last 30 days)")
