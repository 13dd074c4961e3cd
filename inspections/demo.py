"""Demo inspections: the checklists of seed 004, 7.3.2, plans for two contracts, and one
inspection approved last week with an anomaly and an open rectification, so today's
inspection shows the comparison with last time. Loading twice changes nothing."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract
from inspections.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
)
from inspections.services.rectifications import rectification_open
from inspections.services.scheduling import inspections_generate
from inspections.services.visits import (
    inspection_review,
    inspection_start,
    inspection_submit,
    result_record,
)

P, N, T = (
    ChecklistItem.AnswerKind.PASS_FAIL,
    ChecklistItem.AnswerKind.NUMBER,
    ChecklistItem.AnswerKind.TEXT,
)

# code: (name, description, [(section, [(text, kind, options)])])
TEMPLATES = {
    "weekly-system": (
        "系统周巡检",
        "每周不少于 1 次系统巡检（招标文件 7.3.2）；巡检结果与前一期数据比对。",
        [
            (
                "基础软件巡检",
                [
                    ("操作系统、数据库、中间件版本与补丁", P, {}),
                    ("软件配置参数符合系统要求", P, {}),
                    ("软件日志检查", T, {"guidance": "记录日志中的错误与告警，分析运行状态。"}),
                ],
            ),
            (
                "应用系统巡检",
                [
                    ("页面加载与显示", P, {}),
                    ("登录验证", P, {}),
                    ("会话管理", P, {}),
                    ("页面响应时间", N, {"unit": "s", "min_value": 0, "max_value": 3}),
                    (
                        "接口响应时间",
                        N,
                        {"unit": "ms", "min_value": 0, "max_value": 500, "change": 50},
                    ),
                    ("业务数据一致性", P, {}),
                    ("数据备份与恢复", P, {"photo_required": True}),
                ],
            ),
            (
                "网络巡检",
                [
                    ("网络带宽", N, {"unit": "Mbps", "min_value": 50}),
                    ("网络延迟", N, {"unit": "ms", "max_value": 50, "change": 50}),
                ],
            ),
            (
                "安全巡检",
                [
                    ("系统补丁已安装", P, {}),
                    ("防火墙与入侵检测配置及运行状态", P, {}),
                    ("用户权限管理与数据加密", P, {}),
                ],
            ),
        ],
    ),
    "annual-health": (
        "年度健康检查",
        "半年现场检查与年度健康检查（年度健康检查）：设备、软件、网络与安全的全面检查。",
        [
            (
                "设备与基础软件",
                [
                    ("设备运行状态与指示灯", P, {"photo_required": True}),
                    ("磁盘剩余空间", N, {"unit": "%", "min_value": 20, "change": 30}),
                    ("操作系统与数据库补丁", P, {}),
                ],
            ),
            (
                "应用与数据",
                [
                    ("业务功能抽检", P, {}),
                    ("数据备份与恢复演练", P, {}),
                ],
            ),
            (
                "网络与安全",
                [
                    ("网络延迟", N, {"unit": "ms", "max_value": 50}),
                    ("安全扫描结果", T, {}),
                ],
            ),
            ("结论", [("改进建议", T, {"required": False})]),
        ],
    ),
}


def _template(code: str) -> ChecklistTemplate:
    name, description, sections = TEMPLATES[code]
    template, _ = ChecklistTemplate.objects.get_or_create(
        code=code, version=1, defaults={"name": name, "description": description}
    )
    for s_order, (title, items) in enumerate(sections, start=1):
        section, _ = ChecklistSection.objects.get_or_create(
            template=template, title=title, defaults={"order": s_order}
        )
        for i_order, (text, kind, options) in enumerate(items, start=1):
            ChecklistItem.objects.get_or_create(
                section=section,
                text=text,
                defaults={
                    "order": i_order,
                    "answer_kind": kind,
                    "unit": options.get("unit", ""),
                    "guidance": options.get("guidance", ""),
                    "min_value": options.get("min_value"),
                    "max_value": options.get("max_value"),
                    "change_threshold_percent": options.get("change"),
                    "required": options.get("required", True),
                    "photo_required": options.get("photo_required", False),
                },
            )
    return template


DEMO_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7\x9a\xa0"
    b"\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
)

# Last week's answers: the interface was slow (an anomaly), the rest fine.
LAST_WEEK = {
    "软件日志检查": {"text": "无严重错误，2 条磁盘空间告警已处理。"},
    "页面响应时间": {"value": "1.2"},
    "接口响应时间": {"value": "620", "note": "高峰时段接口排队"},
    "网络带宽": {"value": "100"},
    "网络延迟": {"value": "18"},
}


def _carry_out_last_week(inspection: Inspection, *, engineer: User, manager: User, when) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    items = ChecklistItem.objects.filter(section__template=inspection.template).select_related(
        "section"
    )
    inspection_start(inspection=inspection, user=engineer, now=when)
    slow = None
    for item in items:
        answer = LAST_WEEK.get(item.text, {})
        photos = ()
        if item.photo_required:
            photos = [SimpleUploadedFile("backup.png", DEMO_PNG, content_type="image/png")]
        result = result_record(
            inspection=inspection,
            item=item,
            user=engineer,
            passed=True if item.answer_kind == P else None,
            value=answer.get("value"),
            text=answer.get("text", ""),
            note=answer.get("note", ""),
            photos=photos,
            now=when,
        )
        if result.anomaly:
            slow = result
    inspection_submit(
        inspection=inspection,
        user=engineer,
        summary="系统整体运行正常；接口响应时间超出标准，已列入重点观察点位。",
        now=when + timedelta(hours=2),
    )
    inspection_review(
        inspection=inspection,
        user=manager,
        approve=True,
        note="同意。接口响应时间需整改并持续关注。",
        now=when + timedelta(hours=5),
    )
    if slow is not None:
        rectification_open(
            inspection=inspection,
            result=slow,
            owner=engineer,
            due_on=timezone.localdate(when) + timedelta(days=14),
            description="优化高峰时段接口查询（增加索引与缓存），下次巡检复测接口响应时间。",
            user=manager,
        )


@transaction.atomic
def demo_inspections(*, now) -> None:
    today = timezone.localdate(now)
    weekly = _template("weekly-system")
    health = _template("annual-health")
    engineer = User.objects.get(username="engineer")
    manager = User.objects.get(username="manager")

    dj = Contract.objects.get(number="DJ-2024-017")
    dj_site = dj.sites.get(name="调度中心")
    last_week = today - timedelta(days=7)
    weekly_plan, _ = InspectionPlan.objects.get_or_create(
        contract=dj,
        site=dj_site,
        template=weekly,
        cycle=InspectionPlan.Cycle.WEEKLY,
        defaults={"engineer": engineer, "starts_on": last_week, "lead_days": 21},
    )
    qc = Contract.objects.get(number="QC-2021-042")
    InspectionPlan.objects.get_or_create(
        contract=qc,
        site=qc.sites.get(name="数字文化馆"),
        template=health,
        cycle=InspectionPlan.Cycle.HALF_YEARLY,
        defaults={"starts_on": today + timedelta(days=10), "lead_days": 60},
    )

    if not Inspection.objects.filter(contract=dj, state=Inspection.State.APPROVED).exists():
        previous, _ = Inspection.objects.get_or_create(
            plan=weekly_plan,
            due_on=weekly_plan.starts_on,
            defaults={
                "contract": dj,
                "site": dj_site,
                "template": weekly,
                "engineer": engineer,
            },
        )
        if previous.state == Inspection.State.SCHEDULED:
            when = timezone.make_aware(datetime.combine(previous.due_on, time(9)))
            _carry_out_last_week(previous, engineer=engineer, manager=manager, when=when)
    inspections_generate(today=today)
