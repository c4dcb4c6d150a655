"""Delivery status notifications (RFC 3464) as a receiving mail server sends them back, for the bounce tests."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText


def delivery_report(original: Message, *, action: str = "failed", status: str = "5.1.1",
                    headers_only: bool = False) -> bytes:
    """The report a server makes about ``original``: its words, the delivery-status fields and the original
    (whole, or only its headers as text/rfc822-headers)."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.example.test"
    report["To"] = str(original["From"])
    report["Subject"] = "Undelivered Mail Returned to Sender"
    recipient = str(original["To"])
    report.attach(MIMEText(f"This is the mail system. Your message could not be delivered to {recipient}.\n"))
    status_part = MIMEBase("message", "delivery-status")
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.example.test"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; 550 {status} <{recipient}>: Recipient address rejected"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    if headers_only:
        headers = "".join(f"{name}: {value}\n" for name, value in original.items())
        report.attach(MIMEText(headers, "rfc822-headers"))
    else:
        report.attach(MIMEMessage(original))
    return report.as_bytes()


def notice_copy(code: str, *, recipient: str = "jordan@example.test") -> EmailMessage:
    from dermbill.core.statement_notice import notice_message

    return notice_message(code=code, practice_name="ERA TEST DERMATOLOGY", sender="statements@billing.example.test",
                          recipient=recipient, base_url="https://bills.example.test", unique="a1b2c3")
