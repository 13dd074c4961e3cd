"""The demo's chat groups: the east branch's implementation group on WeCom and the
management group on DingTalk (signed). This machine cannot reach either service, so they
are paused: an administrator pastes a real group's webhook address and ticks "active"."""

from accounts.models import Branch
from accounts.roles import Tier
from tickets.models import ChatRobot


def demo_chat_robots() -> None:
    east = Branch.objects.filter(code="east").first()
    ChatRobot.objects.get_or_create(
        name="华东服务中心 · 实施组群",
        defaults={
            "kind": ChatRobot.Kind.WECOM,
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-key",
            "branch": east,
            "tiers": [Tier.IMPLEMENTATION],
            "active": False,
        },
    )
    ChatRobot.objects.get_or_create(
        name="客户服务管理小组群",
        defaults={
            "kind": ChatRobot.Kind.DINGTALK,
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=demo-token",
            "secret": "SECdemo0000000000000000000000000000000000000000000000000000000000",
            "tiers": [Tier.MANAGEMENT, Tier.LEADERSHIP],
            "active": False,
        },
    )
