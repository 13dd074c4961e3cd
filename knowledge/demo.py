"""Demo knowledge base: articles for the demo's products (the gateway, the dispatch platform,
the kiosk, the seepage terminal, the IoT software), in Chinese and a couple in English;
published, public or internal, one draft, and one written from the demo's closed ticket
"历史曲线查询超时"."""

from accounts.models import User
from knowledge.models import Article
from knowledge.selectors import article_initial_from_ticket
from knowledge.services import article_create, article_publish
from tickets.models import Ticket

FROM_TICKET = "历史曲线查询超时"

# title, product, model, symptom, cause, steps, public, published, author
ARTICLES = [
    (
        "数据采集网关离线（通讯中断）的排查与恢复",
        "数据采集网关",
        "GW-200",
        "平台显示网关离线，现场数据不再上传，采集通讯中断。",
        "网关供电中断后 4G 模块未重新注册，或光纤收发器链路中断。",
        "1. 查看网关电源指示灯与 4G 信号灯\n"
        "2. 登录网关管理页，检查链路状态与最近一次心跳时间\n"
        "3. 重启 4G 模块（管理页“网络”→“重新拨号”）\n"
        "4. 仍不通时检查光纤收发器并更换跳线\n"
        "5. 在平台确认网关上线、数据补传完成",
        True,
        True,
        "engineer",
    ),
    (
        "Gateway link down after a power failure",
        "数据采集网关",
        "GW-200",
        "After a power cut the gateway shows link down and the platform stops receiving data.",
        "The cellular modem does not re-register after the power returns.",
        "1. Check the power and signal LEDs\n"
        "2. Open the gateway's web console and read the link status\n"
        "3. Redial the modem (Network → Redial)\n"
        "4. Confirm on the platform that the gateway is online and the backlog uploaded",
        True,
        True,
        "engineer",
    ),
    (
        "调度大屏画面冻结、数据不刷新",
        "智慧调度平台软件",
        "V3.2",
        "调度大屏画面停止更新，数据长时间不刷新，浏览器无报错。",
        "大屏客户端与消息服务的长连接断开后未自动重连。",
        "1. 在大屏主机上按 F5 刷新页面\n"
        "2. 检查消息服务状态（systemctl status dispatch-mq）\n"
        "3. 消息服务异常时重启该服务\n"
        "4. 确认大屏数据恢复刷新并记录故障时间",
        False,
        True,
        "manager",
    ),
    (
        "自助服务一体机无法开机",
        "自助服务一体机",
        "KS-55",
        "按下电源键后一体机无反应，屏幕不亮。",
        "多为电源适配器损坏或机柜内空气开关跳闸。",
        "1. 确认机柜内空气开关处于合闸位置\n"
        "2. 检查电源适配器指示灯\n"
        "3. 更换备用电源适配器后重新开机\n"
        "4. 仍无法开机请拨打服务热线报修",
        True,
        True,
        "manager",
    ),
    (
        "渗压遥测终端数据中断",
        "大坝渗压遥测终端",
        "SY-10",
        "监测平台中渗压数据中断，终端状态显示超时。",
        "太阳能供电不足导致蓄电池电压过低。",
        "1. 查看终端电池电压历史曲线\n2. 清洁太阳能板\n3. 电压低于 11V 时更换蓄电池",
        False,
        False,
        "engineer",
    ),
    (
        "How to export last month's production report",
        "物联网监控软件",
        "V7.1",
        "Users ask how to export the monthly production report.",
        "",
        "1. Open Reports → Production\n"
        "2. Choose last month in the period selector\n"
        "3. Click Export and choose Excel or PDF",
        True,
        True,
        "manager",
    ),
]


def demo_knowledge(*, now) -> None:
    if Article.objects.filter(title=ARTICLES[0][0]).exists():
        return
    users = {name: User.objects.get(username=name) for name in ("engineer", "manager")}
    manager = users["manager"]
    for title, product, model, symptom, cause, steps, public, published, author in ARTICLES:
        article = article_create(
            user=users[author],
            title=title,
            product=product,
            model=model,
            symptom=symptom,
            cause=cause,
            steps=steps,
            is_public=public,
            now=now,
        )
        if published:
            # Engineers write drafts; the manager publishes them.
            article_publish(article=article, user=manager)
    ticket = Ticket.objects.filter(summary=FROM_TICKET, state="closed").first()
    if ticket is not None:
        values = article_initial_from_ticket(ticket)
        values.update(product="智慧调度平台软件", model="V3.2")
        article_create(user=manager, publish=True, now=now, **values)
