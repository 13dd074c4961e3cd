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

Who logs in and which tickets they open comes from the plan bench/load.py
wrote (LOAD_PLAN, JSON), taken from the seeded database.
"""

import itertools
import json
import os
import random
import re
import threading
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text(encoding="utf-8"))
PASSWORD = PLAN["password"]
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
_lock = threading.Lock()
_accounts = {role: itertools.cycle(PLAN["accounts"][role]) for role in PLAN["accounts"]}


def _next_account(role: str) -> dict:
    with _lock:
        return next(_accounts[role])


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(0.3, 1.5)

    def on_start(self) -> None:
        self.account = _next_account(self.role)
        page = self.client.get("/accounts/login/", name="login form")
        token = _TOKEN.search(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account["username"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            catch_response=True,
        ) as response:
            # A good login redirects to the home page; a refused one shows the form again.
            if response.url.rstrip("/").endswith("/accounts/login"):
                response.failure(f"login refused for {self.account['username']}")

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")


class Agent(Person):
    role = "agents"
    weight = 5

    @task(6)
    def poll_rows(self) -> None:
        self.client.get("/desk/rows/", name="/desk/rows/ (poll)")

    @task(2)
    def queue(self) -> None:
        self.client.get("/desk/", name="/desk/")

    @task(3)
    def open_ticket(self) -> None:
        number = random.choice(PLAN["open_tickets"])
        self.client.get(f"/desk/tickets/{number}/", name="/desk/tickets/[number]/")


class Engineer(Person):
    role = "engineers"
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.on_the_way = list(self.account["on_the_way"])
        self.on_site = list(self.account["on_site"])

    @task(3)
    def home(self) -> None:
        self.client.get("/m/", name="/m/")

    @task(2)
    def open_ticket(self) -> None:
        mine = self.on_site + self.on_the_way
        if mine:
            number = random.choice(mine)
            self.client.get(f"/desk/tickets/{number}/", name="/desk/tickets/[number]/")

    def _post(self, number: str, action: str, data: dict) -> None:
        page = self.client.get(f"/desk/tickets/{number}/", name="/desk/tickets/[number]/")
        token = _FORM_TOKEN.search(page.text)
        self.client.post(
            f"/desk/tickets/{number}/{action}/",
            data={
                **data,
                "csrfmiddlewaretoken": self._csrf(),
                "form_token": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/desk/tickets/{number}/"},
            name=f"/desk/tickets/[number]/{action}/",
        )

    @task(1)
    def check_in_or_log_work(self) -> None:
        if self.on_the_way:
            number = self.on_the_way.pop()
            self._post(number, "check-in", {})
            self.on_site.append(number)
        elif self.on_site:
            self._post(random.choice(self.on_site), "work-log", {"text": "更换电源模块，测试正常"})


class Customer(Person):
    role = "customers"
    weight = 2

    @task(3)
    def portal(self) -> None:
        self.client.get("/portal/", name="/portal/")

    @task(2)
    def open_ticket(self) -> None:
        numbers = self.account["tickets"]
        if numbers:
            number = random.choice(numbers)
            self.client.get(f"/portal/tickets/{number}/", name="/portal/tickets/[number]/")


class Manager(Person):
    role = "managers"
    weight = 1

    @task
    def dashboard(self) -> None:
        self.client.get("/dashboard/?period=this_month", name="/dashboard/?period=this_month")
