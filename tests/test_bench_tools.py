"""The benchmarks' command lines: `bench/run scale` and `bench/run load` parse their options,
Locust loads the load mix, and the scale report judges goals and growth."""

import json
import subprocess
import sys
from pathlib import Path

from bench import load, load_checks, scale
from bench.scale_report import report

ROOT = Path(__file__).resolve().parent.parent


def sizes(*argv: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", "sizes", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_scale_runs_three_sizes_by_default_and_quick_leaves_out_the_million():
    assert sizes() == ["20000", "100000", "1000000"]
    assert sizes("--quick") == ["20000", "100000"]
    assert sizes("--sizes", "100_000,5000", "--output", "/tmp/x.md") == ["5000", "100000"]


def test_scale_refuses_a_size_that_is_not_a_count():
    done = subprocess.run(
        [sys.executable, "-m", "bench.scale", "sizes", "--sizes", "lots"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "not a list of ticket counts" in done.stderr


def test_load_options_reach_locust():
    args = load.parser().parse_args(["run", "-u", "80", "-r", "10", "-t", "30"])
    command = load.locust_command(args)
    assert command[command.index("-u") + 1] == "80"
    assert command[command.index("-r") + 1] == "10.0"
    assert "--headless" in command
    # The mix lasts 30 s once all have logged in; Locust's own limit leaves time for logins.
    assert load.locust_env(args, Path("/tmp/l.json"))["LOAD_SECONDS"] == "30"
    assert int(command[command.index("-t") + 1].rstrip("s")) > 30 + 80


def test_load_counts_a_page_only_when_it_was_served():
    assert load_checks.page_problem(200, "http://h/desk/rows/") == ""
    # The login page with a 200 at the end of a redirect is a lost session, not a page.
    assert (
        load_checks.page_problem(200, "http://h/accounts/login/?next=/desk/", 1)
        == "sent to the login page"
    )
    assert load_checks.page_problem(200, "http://h/desk/call/", 1) == "redirected to /desk/call/"
    assert load_checks.page_problem(403, "http://h/dashboard/") == "HTTP 403"
    assert load_checks.page_problem(500, "http://h/portal/") == "HTTP 500"
    # The login form itself, asked for, is a page like any other.
    assert load_checks.page_problem(200, "http://h/accounts/login/") == ""


def test_load_counts_a_login_only_when_it_lands_on_the_roles_page():
    assert load_checks.login_problem(200, "http://h/m/", 2, "/m/") == ""
    refused = load_checks.login_problem(200, "http://h/accounts/login/", 0, "/m/")
    assert refused == "login refused (the form again)"
    assert load_checks.login_problem(200, "http://h/portal/", 2, "/m/").startswith("landed on")
    assert load_checks.login_problem(429, "http://h/m/", 0, "/m/") == "HTTP 429"


def test_load_counts_a_post_only_when_the_ticket_then_says_it_was_done():
    page = "/desk/tickets/2026-000007/"
    assert load_checks.post_problem(302, page, page) == ""
    assert (
        load_checks.post_problem(302, "/accounts/login/?next=x", page) == "sent to the login page"
    )
    assert load_checks.post_problem(400, "", page) == "HTTP 400"
    assert load_checks.post_problem(403, "", page) == "HTTP 403"
    done = '<ul class="messages"><li class="success">Work log saved.</li></ul>'
    refused = '<ul class="messages"><li class="error">Not on site &amp; not en route.</li></ul>'
    assert load_checks.done_problem(f'<nav><li class="x">Desk</li></nav>{done}') == ""
    assert load_checks.done_problem(refused) == "refused: Not on site & not en route."
    assert load_checks.done_problem('<nav><li class="x">Desk</li></nav>') == (
        "no message that it was done"
    )


def test_load_posts_the_tokens_of_the_form_it_means():
    page = (
        '<form method="post" action="/desk/tickets/1/accept/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="c1">'
        '<input type="hidden" name="form_token" value="f1"></form>'
        '<form method="post" action="/desk/tickets/1/work-log/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="c2">'
        '<input type="hidden" name="form_token" value="f2"></form>'
    )
    assert load_checks.form_tokens(page, "/desk/tickets/1/work-log/") == ("c2", "f2")
    assert load_checks.form_tokens(page, "/desk/tickets/1/check-in/") is None


def test_locust_loads_the_mix_of_the_plan(tmp_path):
    plan = tmp_path / "plan.json"
    accounts = {"username": "x", "tickets": [], "on_the_way": [], "on_site": []}
    plan.write_text(
        json.dumps(
            {
                "password": "p",
                "open_tickets": ["T1"],
                "accounts": {
                    k: [accounts] for k in ("agents", "engineers", "customers", "managers")
                },
            }
        )
    )
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "locust"), "-f", "bench/locustfile.py", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"LOAD_PLAN": str(plan), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) >= {"Agent", "Engineer", "Customer", "Manager"}


def test_load_reads_locusts_csv(tmp_path):
    header = (
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
        "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
        "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
    )
    (tmp_path / "l_stats.csv").write_text(
        header
        + "\nGET,/desk/,100,2,40,45,10,300,4000,50.5,1,40,50,55,60,80,120,150,200,290,300,300"
        + "\n,Aggregated,300,2,30,35,5,300,3000,151.5,1,30,40,45,50,70,110,140,180,290,300,300\n"
    )
    rows = load.stats_read(tmp_path / "l_stats.csv")
    assert [r.name for r in rows] == ["GET /desk/", "all"]
    assert (rows[1].rps, rows[1].p95, rows[1].p99, rows[1].failures) == (151.5, 110, 180, 2)


def _run(tickets: int, queue_ms: float, sweep_ms: float) -> dict:
    info = {k: "x" for k in ("cpu", "cores", "ram", "os", "postgresql", "python", "django")}
    figures = [
        {"key": "queue", "median_ms": queue_ms, "p95_ms": queue_ms, "queries": 8, "note": "n"},
        {"key": "sweep", "median_ms": sweep_ms, "p95_ms": sweep_ms, "queries": 0.1, "note": "n"},
    ]
    return {
        "tickets": tickets,
        "started": "2026-12-01T08:00:00+00:00",
        "machine": {**info, "load": "0.5"},
        "load_end": "0.9",
        "dataset": {
            "tickets": tickets,
            "days": 92,
            "open": 1,
            "clocks": 1,
            "steps": 1,
            "notifications": 1,
            "seconds": 1,
        },
        "figures": figures,
    }


def test_scale_report_judges_goals_at_100k_and_growth_from_smallest_to_largest():
    section, summary = report(
        [_run(1_000_000, 30.0, 0.3), _run(20_000, 10.0, 0.3), _run(100_000, 12.0, 0.4)]
    )
    queue = next(line for line in section.splitlines() if line.startswith("| agent queue"))
    # Met at 100k (12 ms <= 20 ms), but it tripled from 20k to 1M.
    assert "| ≤ 20 ms | yes | ×3.00 | **no** |" in queue
    sweep = next(line for line in section.splitlines() if "sweep, per step" in line)
    assert "| ≤ 0.5 ms | yes | ×1.00 |  |" in sweep
    assert "queue growth" in summary
    assert scale.chosen_sizes(scale.parser().parse_args(["report", "--quick"])) == [20_000, 100_000]
