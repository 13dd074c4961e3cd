"""The tickets' small world, with a resolved gateway fault and a few articles: a published
public one in Chinese, a published one in English, an internal one and a draft."""

from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge.services import article_create
from tests.tickets import conftest as tickets_conftest
from tickets.services.creation import ticket_create
from tickets.services.transitions import ticket_resolve, ticket_transition

branch = tickets_conftest.branch
staff = tickets_conftest.staff
business_calendar = tickets_conftest.business_calendar
world = tickets_conftest.world
api = tickets_conftest.api

REPORT = {
    "symptoms": "网关离线，平台通讯中断",
    "analysis": "现场检查发现 4G 模块未注册",
    "cause": "停电后 4G 模块未重新拨号",
    "solution": "重启 4G 模块\n在平台确认网关上线",
    "prevention": "加装不间断电源",
}


def gateway_fault(world, *, summary="二水厂数据采集网关离线", at=None):
    at = at or timezone.now() - timedelta(hours=3)
    return ticket_create(
        created_by=world["agent"],
        customer=world["customer"],
        site=world["site"],
        covered_item=world["hardware"],
        kind="fault",
        priority="P2",
        summary=summary,
        description="调度中心看不到二水厂的数据",
        channel="phone",
        reported_at=at,
        now=at,
    )


@pytest.fixture
def resolved(world):
    """A gateway fault, acknowledged and resolved with its fault report."""
    ticket = gateway_fault(world)
    ticket_transition(ticket_id=ticket.pk, name="acknowledge", user=world["agent"])
    ticket_resolve(ticket_id=ticket.pk, user=world["agent"], report=REPORT)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def articles(world):
    """world["hardware"] is a "Gateway" without a model; the articles name it GW-200."""
    world["hardware"].model = "GW-200"
    world["hardware"].save()
    manager, engineer = world["manager"], world["engineer"]
    common = {"product": "Gateway", "model": "GW-200"}
    return {
        "public": article_create(
            user=manager,
            title="数据采集网关离线（通讯中断）的排查",
            symptom="平台显示网关离线，采集通讯中断",
            cause="停电后 4G 模块未重新注册",
            steps="1. 查看指示灯\n2. 重新拨号\n3. 确认上线",
            is_public=True,
            publish=True,
            **common,
        ),
        "english": article_create(
            user=manager,
            title="Gateway link down after a power failure",
            symptom="The gateway shows link down after a power cut",
            steps="Check the LEDs\nRedial the modem",
            is_public=True,
            publish=True,
            **common,
        ),
        "internal": article_create(
            user=manager,
            title="调度平台内部排障：消息服务重启",
            product="Platform",
            model="V3.2",
            symptom="大屏数据不刷新",
            steps="重启消息服务",
            is_public=False,
            publish=True,
        ),
        "draft": article_create(
            user=engineer,
            title="网关通讯中断草稿",
            symptom="网关通讯中断",
            steps="待补充",
            is_public=True,
            **common,
        ),
    }
