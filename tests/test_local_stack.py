"""The pieces of bin/serve's stack that can be tried without running it whole."""

import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dead_process_is_announced_in_one_console_line(tmp_path):
    (tmp_path / "supervisord.log").write_text(
        "2026-11-30 12:00:00,000 WARN exited: worker (terminated by SIGKILL; not expected)\n"
    )
    listener = subprocess.Popen(
        [sys.executable, str(ROOT / "bin" / "serve-events"), str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert listener.stdout.readline() == "READY\n"
        for serial, (event, payload) in enumerate(
            [
                (
                    "PROCESS_STATE_EXITED",
                    "processname:worker groupname:worker from_state:RUNNING expected:0 pid:4242",
                ),
                (
                    "PROCESS_STATE_RUNNING",
                    "processname:worker groupname:worker from_state:STARTING pid:4343",
                ),
            ],
            start=1,
        ):
            header = (
                f"ver:3.0 server:supervisor serial:{serial} pool:events poolserial:{serial} "
                f"eventname:{event} len:{len(payload)}\n"
            )
            listener.stdin.write(header + payload)
            listener.stdin.flush()
            assert listener.stdout.readline() == "RESULT 2\n"
            assert listener.stdout.read(2) == "OK"
            assert listener.stdout.readline() == "READY\n"
    finally:
        listener.kill()
        _, stderr = listener.communicate()
    assert stderr.splitlines() == ["[serve] worker died (terminated by SIGKILL), restarting"]
    events = (tmp_path / "events.log").read_text().splitlines()
    assert [line.split(" ", 1)[1] for line in events] == [
        "worker RUNNING -> EXITED pid=4242",
        "worker STARTING -> RUNNING pid=4343",
    ]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("runuser"), reason="needs root")
def test_postgres_runs_for_a_checkout_in_a_private_directory(tmp_path):
    private = tmp_path / "root-like"
    private.mkdir()
    private.chmod(0o700)  # like /root: the postgres user cannot enter it
    services = private / "var" / "test-services"
    link = services / "pgdata"
    env = {
        **os.environ,
        "PG_PORT": str(_free_port()),
        "REDIS_PORT": str(_free_port()),
        "IMAP_PORT": str(_free_port()),
    }
    cluster = None
    try:
        # The second start is a checkout deleted and cloned again at the same path:
        # its var/ is new, the cluster the old one left in /var/lib must not stop it.
        for attempt in range(2):
            started = subprocess.run(
                [str(ROOT / "bin" / "services"), "start", str(services)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            assert started.returncode == 0, (attempt, started.stderr)
            assert "cluster kept in /var/lib/servicedesk/" in started.stderr
            assert link.is_symlink()
            cluster = Path(os.readlink(link))
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{env['PG_PORT']}/desk") as db:
                assert db.execute("SELECT 1").fetchone() == (1,)
            assert stat.S_IMODE(private.stat().st_mode) == 0o700
            subprocess.run(
                [str(ROOT / "bin" / "services"), "stop", str(services)], env=env, check=True
            )
            shutil.rmtree(private / "var")
    finally:
        if link.is_symlink():
            subprocess.run(
                [str(ROOT / "bin" / "services"), "stop", str(services)], env=env, check=False
            )
        if cluster is not None:
            shutil.rmtree(cluster.parent, ignore_errors=True)
