"""Demo planned downtime, upgrades and a software notice at the water group: the dispatch
centre's servers patched right now (the call about its frozen screen falls inside it), the
second plant's gateway firmware tomorrow night with its upgrade planned, the dispatch
platform's upgrade of last month, and a bug notice about the version it runs now."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from contracts.models import CoveredItem, Site
from maintenance.models import DowntimeWindow
from maintenance.notices import notice_publish
from maintenance.services import downtime_plan
from maintenance.upgrades import (
    upgrade_plan,
    upgrade_retry,
    upgrade_roll_back,
    upgrade_step,
    version_record,
)

REASON_NOW = "调度中心服务器操作系统安全补丁"
REASON_TOMORROW = "数据采集网关固件升级"


def demo_maintenance(*, now) -> None:
    if not DowntimeWindow.objects.filter(reason=REASON_NOW).exists():
        _demo_windows(now=now)
    demo_upgrades(now=now)


def _demo_windows(*, now) -> None:
    agent = User.objects.get(username="agent")
    centre = Site.objects.get(name="调度中心", customer__name="东江水务集团有限公司")
    downtime_plan(
        user=agent,
        site=centre,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        reason=REASON_NOW,
        work="安装补丁、重启应用服务器；期间调度大屏可能短时无数据。",
        notice_hours=24,
        now=now - timedelta(days=2),
    )
    local = timezone.localtime(now + timedelta(days=1))
    tomorrow = local.replace(hour=22, minute=0, second=0, microsecond=0)
    downtime_plan(
        user=agent,
        site=Site.objects.get(name="第二水厂"),
        items=[CoveredItem.objects.get(serial_number="DJ-HW-0107")],
        starts_at=tomorrow,
        ends_at=tomorrow + timedelta(hours=3),
        reason=REASON_TOMORROW,
        work="升级网关固件至 2.4.1，升级后核对各泵站数据。",
        notice_hours=24,
        now=now,
    )


def demo_upgrades(*, now) -> None:
    """The dispatch platform upgraded last month from V3.2 to V3.3 (once rolled back, then
    done), the gateway's firmware upgrade planned in tomorrow night's window, and a bug
    notice about V3.3 sent to the water group."""
    platform = CoveredItem.objects.get(serial_number="DJ-SW-0001")
    if platform.versions.exists():
        return
    agent, manager = User.objects.get(username="agent"), User.objects.get(username="manager")
    engineer = User.objects.get(username="engineer")
    version_record(
        item=platform, user=agent, version="V3.2", note="验收时版本", now=now - timedelta(days=420)
    )
    done = upgrade_plan(
        user=agent,
        item=platform,
        to_version="V3.3",
        plan="升级调度平台至 V3.3：先全量备份数据库与应用；夜间停机 2 小时；异常时回退至 V3.2。",
        engineer=engineer,
        now=now - timedelta(days=30),
    )
    moment = now - timedelta(days=29)
    for step in ("backup", "stop", "install", "start"):
        moment += timedelta(minutes=20)
        upgrade_step(upgrade=done, user=engineer, step=step, note="", now=moment)
    upgrade_roll_back(
        upgrade=done, user=engineer, reason="新版本报表服务启动失败，已恢复 V3.2", now=moment
    )
    upgrade_retry(upgrade=done, user=engineer, now=moment + timedelta(days=1))
    moment += timedelta(days=1)
    for step in ("backup", "stop", "install", "start", "observe"):
        moment += timedelta(minutes=20)
        upgrade_step(upgrade=done, user=engineer, step=step, note="运行正常", now=moment)
    gateway = CoveredItem.objects.get(serial_number="DJ-HW-0107")
    version_record(
        item=gateway, user=agent, version="2.3.0", note="固件版本", now=now - timedelta(days=420)
    )
    upgrade_plan(
        user=agent,
        item=gateway,
        to_version="2.4.1",
        plan="网关固件升级至 2.4.1，修复断电后数据缓存丢失问题。",
        engineer=engineer,
        window=DowntimeWindow.objects.filter(reason=REASON_TOMORROW).first(),
        now=now,
    )
    notice_publish(
        user=manager,
        kind="bug",
        product=platform.name,
        versions="V3.3",
        title="V3.3 历史曲线导出在跨月查询时可能超时",
        body="临时措施：按月分段导出。修复版本 V3.3.1 将于下月发布，届时另行通知升级安排。",
        now=now - timedelta(days=2),
    )
