"""The stack under soak: bin/serve's processes as supervisord runs them, and the kills.

`Stack` reads supervisord (pids, its event log of state changes) and `Api`
reaches gunicorn as a client would; a `Kill` records one SIGKILL and when the
process was running and working again (`wait_ready`).
"""

import json
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Kill:
    process: str
    pid: int
    at: datetime
    back_at: datetime | None = None  # supervisord reports it RUNNING again
    ready_at: datetime | None = None  # it does its work again (answers a ping)

    @staticmethod
    def _since(at: datetime, later: datetime | None) -> float | None:
        return (later - at).total_seconds() if later else None

    @property
    def back_seconds(self) -> float | None:
        return self._since(self.at, self.back_at)

    @property
    def ready_seconds(self) -> float | None:
        return self._since(self.at, self.ready_at)

    def window(self, sweep_seconds: float) -> tuple[datetime, datetime]:
        """From one sweep interval before the kill (the sweep that would have found a step
        due then is the one the kill prevents) until 10 s after the process works again."""
        ends = [t for t in (self.back_at, self.ready_at) if t] or [self.at + timedelta(minutes=1)]
        return self.at - timedelta(seconds=sweep_seconds), max(ends) + timedelta(seconds=10)


def wait_ready(kill: Kill, redis_port: int, worker_name: str, timeout: float = 120) -> None:
    """Poll until the killed process does its work again: Redis answers PING, the worker a ping."""
    import redis

    from servicedesk.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if kill.process == "redis":
                # A new server (not the killed one, which may answer for a moment).
                info = redis.Redis(host="127.0.0.1", port=redis_port, socket_timeout=0.5).info()
                ok = info["process_id"] != kill.pid
            else:
                ok = bool(app.control.ping(destination=[worker_name], timeout=0.5))
        except Exception:  # refused, loading its data, broker away: not ready yet
            ok = False
        if ok:
            kill.ready_at = datetime.now(UTC)
            return
        time.sleep(0.1)


class Stack:
    """The stack bin/serve started: its supervisorctl, its event log, its web port."""

    def __init__(self, serve_dir: Path, url: str):
        self.serve_dir = serve_dir
        self.url = url.rstrip("/")
        self.conf = serve_dir / "run" / "supervisord.conf"

    def ctl(self, *args: str) -> str:
        return subprocess.run(
            [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(self.conf), *args],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    def pid(self, process: str) -> int:
        return int(self.ctl("pid", process))

    def events(self) -> list[tuple[datetime, str, str]]:
        """(moment, process, new state) for every state change supervisord reported."""
        rows = []
        path = self.serve_dir / "log" / "events.log"
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[3] == "->":
                rows.append((datetime.fromisoformat(parts[0]), parts[1], parts[4]))
        return rows

    def back_at(self, process: str, after: datetime, timeout: float = 60) -> datetime | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, name, state in self.events():
                if name == process and state == "RUNNING" and at > after:
                    return at
            time.sleep(0.2)
        return None


class Api:
    def __init__(self, url: str, username: str, password: str):
        self.url = url
        self.token = self._post("/api/auth/token/", {"username": username, "password": password})[
            "token"
        ]

    def _post(self, path: str, payload: dict, token: str | None = None) -> dict:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"}
            | ({"Authorization": f"Token {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def ticket(self, payload: dict) -> dict:
        return self._post("/api/tickets/", payload, self.token)
