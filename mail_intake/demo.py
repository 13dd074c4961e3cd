"""The demo's hotline mailbox. Run by bin/serve, it reads the private IMAP server started
beside the desk, into which three mails are put once: a fault reported by the water
group's duty dispatcher (a contact without a login: it becomes a ticket), a question from
an unknown address at the oil field (it waits for an agent, who is shown the customer its
domain suggests) and an out-of-office reply (set aside). Beat reads them within a minute."""

import imaplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.utils import timezone

from contracts.models import Contact
from mail_intake.models import Mailbox

ADDRESS = "hotline@servicedesk.example"
USER = "hotline"
# Contacts given an address, so their mail is recognised.
CONTACT_ADDRESSES = {"马超": "machao@djsw.example", "高峰": "gaofeng@beichen-oil.example"}


def demo_mail(*, now) -> None:
    for name, address in CONTACT_ADDRESSES.items():
        Contact.objects.filter(name=name, email="").update(email=address)
    port = settings.DEMO_IMAP_PORT
    mailbox, _created = Mailbox.objects.update_or_create(
        address=ADDRESS,
        defaults={
            "name": "服务热线邮箱",
            "host": "127.0.0.1",
            "port": port or 143,
            "security": Mailbox.Security.NONE,
            "username": USER,
            "password": settings.DEMO_IMAP_PASSWORD or "-",
            # Only where bin/serve runs the server it reads.
            "active": bool(port),
        },
    )
    if port and not mailbox.mails.exists():
        _fill(port, now=now)


def _fill(port: int, *, now) -> None:
    client = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    try:
        client.login(USER, settings.DEMO_IMAP_PASSWORD)
        _status, data = client.select("INBOX")
        if int(data[0] or 0):
            return  # filled before: the mails are read or about to be
        for message in _mails(now):
            client.append("INBOX", None, None, message.as_bytes())
    finally:
        client.logout()


def _mail(sender: str, subject: str, body: str, now, **headers) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.localtime(now))
    message["Message-ID"] = make_msgid(domain="demo.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def _mails(now) -> list[EmailMessage]:
    fault = _mail(
        "马超 <machao@djsw.example>",
        "二号水厂加药系统通讯中断",
        "你好：\n\n二号水厂加药系统从今天早上起与调度中心通讯中断，现场设备运行正常，"
        "请安排工程师检查。附件是通讯网关的日志。\n\n马超\n东江水务集团 值班调度",
        now,
    )
    day = timezone.localtime(now).strftime("%Y-%m-%d")
    fault.add_attachment(
        f"{day} 07:58:02 gateway: link down\n{day} 07:58:07 gateway: retry 1\n".encode(),
        maintype="text",
        subtype="plain",
        filename="gateway.log",
    )
    question = _mail(
        "张伟 <zhangwei@beichen-oil.example>",
        "咨询：数据中心机房巡检报告",
        "您好，请问上个季度的机房巡检报告在哪里可以下载？我是信息中心新来的同事。\n\n张伟",
        now,
    )
    away = _mail(
        "罗斌 <luobin@xiling-power.example>",
        "自动回复：休假中",
        "我 12 月 7 日前休假，急事请联系设备部值班电话。",
        now,
        Auto_Submitted="auto-replied",
    )
    return [fault, question, away]
