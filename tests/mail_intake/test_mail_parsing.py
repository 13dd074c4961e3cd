"""What the desk reads in a mail: the sender, the text in any charset, the files, the
ticket a reply is about, and whether a person wrote it at all."""

import base64
from email.header import Header
from email.message import EmailMessage

from mail_intake.parsing import html_to_text, mail_parse, reply_text
from tests.mail_intake.conftest import mail


def test_chinese_subject_and_text_in_gb2312_are_read():
    name = Header("孙丽", "gb2312").encode()
    subject = Header("服务器无法启动", "gb2312").encode()
    raw = (
        (
            f"From: {name} <Sun.Li@Example.com>\r\n"
            f"Subject: {subject}\r\n"
            "Content-Type: text/plain; charset=gb2312\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + base64.b64encode("请尽快派人处理".encode("gb2312"))
        + b"\r\n"
    )
    parsed = mail_parse(raw)
    assert parsed.from_address == "sun.li@example.com"
    assert parsed.from_name == "孙丽"
    assert parsed.subject == "服务器无法启动"
    assert parsed.body == "请尽快派人处理"


def test_html_only_mail_is_read_as_text_without_scripts():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["Subject"] = "x"
    message.set_content(
        "<html><head><style>p{}</style></head><body><p>第一行</p><script>alert(1)</script>"
        "<div>Second&nbsp;line</div></body></html>",
        subtype="html",
    )
    assert mail_parse(message.as_bytes()).body == "第一行\nSecond line"
    assert "alert" not in html_to_text("<script>alert(1)</script>ok")


def test_files_are_found_including_an_unnamed_fax_image():
    message = mail(files=[("报告.pdf", "application/pdf", b"%PDF-1.4 x")])
    message.add_attachment(b"II*\x00fax", maintype="image", subtype="tiff")
    parsed = mail_parse(message.as_bytes())
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("报告.pdf", "application/pdf"),
        ("part-3", "image/tiff"),
    ]
    assert parsed.attachments[0].content == b"%PDF-1.4 x"


def test_the_ticket_of_a_reply_comes_from_the_tag_the_number_or_the_thread():
    assert mail_parse(mail(subject="Re: [#2026-000123] 已派单").as_bytes()).ticket_number == (
        "2026-000123"
    )
    assert mail_parse(mail(subject="回复：工单 2026-000042 进展").as_bytes()).ticket_number == (
        "2026-000042"
    )
    threaded = mail(subject="Re: 进展", headers={"In-Reply-To": "<ticket.2026-000007.n5@desk>"})
    assert mail_parse(threaded.as_bytes()).ticket_number == "2026-000007"
    # A phone number or a longer figure is not a ticket number.
    assert mail_parse(mail(subject="电话 0755-12345678").as_bytes()).ticket_number == ""
    assert mail_parse(mail(subject="新问题").as_bytes()).ticket_number == ""


def test_machines_are_told_from_people():
    person = mail_parse(mail().as_bytes())
    assert (person.automatic, person.bounce, person.ours) == ("", "", False)
    assert mail_parse(mail(headers={"Auto-Submitted": "auto-replied"}).as_bytes()).automatic
    assert not mail_parse(mail(headers={"Auto-Submitted": "no"}).as_bytes()).automatic
    assert mail_parse(mail(headers={"X-Autoreply": "yes"}).as_bytes()).automatic
    assert mail_parse(mail(headers={"Precedence": "bulk"}).as_bytes()).automatic
    assert mail_parse(mail(sender="noreply@vendor.com").as_bytes()).automatic
    assert mail_parse(mail(sender="MAILER-DAEMON@mx.example.com").as_bytes()).bounce
    report = EmailMessage()
    report["From"] = "someone@example.com"
    report.set_content("x")
    report.make_mixed()
    report.replace_header("Content-Type", "multipart/report; report-type=delivery-status")
    assert mail_parse(report.as_bytes()).bounce == "multipart/report"
    ours = mail(headers={"X-Servicedesk-Ticket": "2026-000001"})
    assert mail_parse(ours.as_bytes()).ours


def test_a_reply_keeps_its_own_words_not_the_quoted_mail():
    body = "已经恢复，谢谢。\n\n在 2026年12月1日 09:00，服务台 写道：\n> 请确认是否恢复\n> 谢谢"
    assert reply_text(body) == "已经恢复，谢谢。"
    outlook = "Fixed now.\n\n-----Original Message-----\nFrom: desk\nSubject: x"
    assert reply_text(outlook) == "Fixed now."
    chinese = "好的\n-----原始邮件-----\n发件人: 服务台"
    assert reply_text(chinese) == "好的"
    only_quote = "> quoted only"
    assert reply_text(only_quote) == "> quoted only"


def test_garbage_is_kept_for_a_person_not_a_crash():
    parsed = mail_parse(b"\x00\xff\xfe not a mail at all \x00")
    assert parsed.from_address == ""
    assert "\x00" not in parsed.body
