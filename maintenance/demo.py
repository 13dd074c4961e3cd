"""Demo planned downtime at the water group: the dispatch centre's servers patched right now
(the call about its frozen screen falls inside it), and the second plant's gateway
firmware tomorrow night."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from contracts.models import CoveredItem, Site
from maintenance.models import DowntimeWindow
from maintenance.services import downtime_plan

REASON_NOW = "调度中心服务器操作系统安全补丁"
REASON_TOMORROW = "数据采集网关固件升级"


def demo_maintenance(*, now) -> None:
    if DowntimeWindow.objects.filter(reason=REASON_NOW).exists():
        return
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
