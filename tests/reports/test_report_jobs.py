"""Report jobs always finish: broker down, worker killed mid-render, sweeps racing.

On the real stack bin/test starts: PostgreSQL, Redis and an in-process Celery worker.
"""

import threading
import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports import rendering
from reports.models import ReportJob
from reports.rendering import (
    MAX_ATTEMPTS,
    report_job_request,
    report_job_run,
    report_jobs_requeue,
    report_jobs_run_queued,
)
from reports.tasks import report_jobs_requeue as requeue_task
from servicedesk.celery import app
from tests.brokers import broker_unreachable, needs_redis
from tests.reports import test_documents as documents_tests

branch = documents_tests.branch
staff = documents_tests.staff
business_calendar = documents_tests.business_calendar
world = documents_tests.world
HOME = "/reports/"
DAY = {"day": "2026-11-10"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_for(client, user, language="en") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(HOME).content.decode()


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def stuck_job(user, *, attempts=1, progress=50) -> ReportJob:
    """A job whose worker was killed mid-render an hour ago."""
    return ReportJob.objects.create(
        kind="daily_repair",
        format="csv",
        params=DAY,
        requested_by=user,
        status="running",
        progress=progress,
        attempts=attempts,
        started_at=timezone.now() - timedelta(hours=1),
        queued_at=timezone.now() - timedelta(hours=1),
    )


def test_beat_runs_the_requeue_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["report-jobs-requeue"]
    assert entry["task"] == requeue_task.name
    assert entry["schedule"] <= 60
    task = app.tasks["reports.tasks.report_render"]
    assert task.acks_late and task.reject_on_worker_lost


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_job_requested_with_the_broker_down_is_queued_when_it_returns(client, world):
    with broker_unreachable():
        job = report_job_request(
            user=world["manager"], kind="daily_repair", format="csv", params=DAY
        )
        job.refresh_from_db()
        assert (job.status, job.queued_at) == ("queued", None)
        # The sweep cannot send it either; it stays waiting, and says why.
        assert report_jobs_requeue() == 0
        page = page_for(client, world["manager"])
        assert "the task queue cannot be reached" in page
        assert "任务队列暂时无法连接" in page_for(client, world["manager"], "zh-hans")
    # Redis is back: beat's sweep hands the job to a real worker, which renders it.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        requeue_task.delay()
        assert wait_for(lambda: ReportJob.objects.get(pk=job.pk).status == "done")
    job.refresh_from_db()
    assert job.progress == 100 and job.file and job.attempts == 1 and job.queued_at
    page = page_for(client, world["manager"])
    assert reverse("reports:job_download", args=[job.pk]) in page


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_job_stuck_at_50_percent_is_requeued_by_beat_and_finishes(client, world):
    job = stuck_job(world["manager"])
    page = page_for(client, world["manager"])
    assert "Stopped at 50 %: the worker stopped" in page
    assert "在 50 % 处停止" in page_for(client, world["manager"], "zh-hans")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        requeue_task.delay()
        assert wait_for(lambda: ReportJob.objects.get(pk=job.pk).status == "done")
    job.refresh_from_db()
    assert job.attempts == 2 and job.requeued_at is not None and job.file


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_render_each_job_once(world, monkeypatch):
    rendered: list[int] = []
    real_render = rendering.report_render

    def counting_render(**kwargs):
        rendered.append(kwargs["params"]["day"])
        return real_render(**kwargs)

    monkeypatch.setattr(rendering, "report_render", counting_render)
    days = [f"2026-11-{day:02d}" for day in range(1, 7)]
    jobs = [
        ReportJob.objects.create(
            kind="daily_repair", format="csv", params={"day": day}, requested_by=world["manager"]
        )
        for day in days[:3]
    ]
    for day in days[3:]:
        stuck = stuck_job(world["manager"])
        stuck.params = {"day": day}
        stuck.save()
        jobs.append(stuck)

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait()
            report_jobs_run_queued()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(rendered) == days  # each job rendered once, by one of the two
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "done"


@pytest.mark.django_db(transaction=True)
def test_two_requeue_sweeps_racing_send_each_job_once(world, monkeypatch):
    sent: list[int] = []
    monkeypatch.setattr(rendering, "_send", lambda job_id: sent.append(job_id) or True)
    jobs = [stuck_job(world["manager"]) for _ in range(3)]
    jobs += [
        ReportJob.objects.create(
            kind="daily_repair", format="csv", params=DAY, requested_by=world["manager"]
        )
        for _ in range(3)
    ]
    start = threading.Barrier(2)

    def sweep():
        try:
            start.wait()
            report_jobs_requeue()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent) == sorted(job.pk for job in jobs)
    for job in jobs[:3]:
        job.refresh_from_db()
        assert job.status == "queued" and job.requeued_at is not None and job.attempts == 1


@pytest.mark.django_db
def test_a_superseded_worker_drops_its_result(world, monkeypatch, settings):
    """The first worker is slow, not dead: the job is re-queued and rendered again meanwhile."""
    job = report_job_request(user=world["manager"], kind="daily_repair", format="csv", params=DAY)
    real_render = rendering.report_render
    calls = []

    def slow_render(**kwargs):
        calls.append(1)
        if len(calls) == 1:  # while attempt 1 renders, the sweep takes the job over
            later = timezone.now() + rendering.RUNNING_TIMEOUT + timedelta(minutes=1)
            monkeypatch.setattr(rendering, "_send", lambda job_id: True)
            assert report_jobs_requeue(now=later) == 1
            report_job_run(job_id=job.pk)
        return real_render(**kwargs)

    monkeypatch.setattr(rendering, "report_render", slow_render)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, len(calls)) == ("done", 2, 2)
    stored = list((settings.MEDIA_ROOT / "reports").rglob("*.csv"))
    assert [path.name for path in stored] == [job.file.name.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_a_job_whose_worker_stops_every_time_fails_with_a_retry_button(client, world):
    job = stuck_job(world["manager"], attempts=MAX_ATTEMPTS)
    assert report_jobs_requeue() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    page = page_for(client, world["manager"])
    assert f"Failed: the worker stopped while rendering it, {MAX_ATTEMPTS} times." in page
    retry = reverse("reports:job_retry", args=[job.pk])
    assert retry in page
    assert f"中断了 {MAX_ATTEMPTS} 次" in page_for(client, world["manager"], "zh-hans")
    # Someone else's job is not theirs to retry.
    client.logout()
    client.force_login(world["engineer"])
    assert client.post(retry).status_code == 404
    client.logout()
    client.force_login(world["manager"])
    assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == ("queued", 0, 0)
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done"


@pytest.mark.django_db
def test_the_page_says_what_is_happening(client, world):
    waiting = report_job_request(
        user=world["manager"], kind="daily_repair", format="csv", params=DAY
    )
    queued_at = timezone.now()
    ReportJob.objects.filter(pk=waiting.pk).update(queued_at=queued_at)
    rendering_job = ReportJob.objects.create(
        kind="daily_repair",
        format="csv",
        params=DAY,
        requested_by=world["manager"],
        status="running",
        progress=50,
        attempts=1,
        started_at=timezone.now(),
    )
    failed = ReportJob.objects.create(
        kind="daily_repair",
        format="csv",
        params=DAY,
        requested_by=world["manager"],
        status="failed",
        error="disk full\n\nTraceback (most recent call last): ...",
    )
    page = page_for(client, world["manager"])
    at = timezone.localtime(queued_at).strftime("%H:%M")
    assert f"Waiting for a worker — queued at {at}" in page
    assert "Rendering 50 %" in page
    assert "Failed: disk full" in page and "Traceback" not in page
    assert reverse("reports:job_retry", args=[failed.pk]) in page
    assert reverse("reports:job_retry", args=[rendering_job.pk]) not in page
    chinese = page_for(client, world["manager"], "zh-hans")
    assert f"等待任务进程处理 — 已于 {at} 排队" in chinese
    assert "正在生成 50 %" in chinese and "失败：disk full" in chinese
    assert "等待中 0 %" not in chinese
