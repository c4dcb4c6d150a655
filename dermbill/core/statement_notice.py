"""The e-mail that tells a patient a statement is ready, and reading the bounce (a delivery status notification)
that may come back for it.

The notice carries no PHI: not the patient's name, nor the balance, nor a date of service, a diagnosis or a
procedure. Only the practice's name (as the sender, unavoidable) and the statement code (random: it says nothing
about the patient, and alone it opens nothing: the statement page also asks for the date of birth). The patient
reads the statement on that page, after typing the code and their date of birth.

The code travels in the ``X-Dermbill-Statement`` header and in the Message-ID, so a bounce (RFC 3464: a
``multipart/report; report-type=delivery-status`` that returns the original's headers) names the statement it is
about. Only the standard library's ``email`` package is used.

Example: ``notice_message(code="K7M2Q9TX4P", practice_name="Riverside Dermatology", sender="statements@rd.example",
recipient="pat@example.com", base_url="https://bills.example", unique="3f9a", sent_at=now)`` says, whole::

    Subject: A new statement is ready

    A new statement is ready. View it at https://bills.example/statement and enter the statement code
    K7M2Q9TX4P with the patient's date of birth.
"""

from __future__ import annotations

import datetime
import email.utils
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser, HeaderParser

from dermbill.core.errors import InvalidInput

STATEMENT_HEADER = "X-Dermbill-Statement"
NOTICE_SUBJECT = "A new statement is ready"
_CODE = re.compile(r"^[A-Za-z0-9-]{4,12}$")
_MESSAGE_ID = re.compile(r"<statement\.([A-Za-z0-9-]{4,12})\.[A-Za-z0-9]+@[^>]+>")
# An address we will hand to a mail server: one @, no spaces or angle brackets, a dotted domain. ASCII only: a
# server without SMTPUTF8 would refuse anything else, and the print batch reaches those patients instead.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def notice_body(*, code: str, base_url: str) -> str:
    """The words of the notice: where to go and what to type; nothing about the patient or the bill."""
    return (f"A new statement is ready. View it at {base_url.rstrip('/')}/statement and enter the statement code "
            f"{code} with the patient's date of birth.\n\n"
            "This message was sent automatically; replies are not read.\n"
            "The phone number to call about the bill is printed on the statement.\n")


def is_deliverable_address(address: str | None) -> bool:
    """Whether ``address`` is an e-mail address a notice can be sent to (ASCII, one mailbox, no header tricks)."""
    return bool(address) and len(address or "") <= 254 and _ADDRESS.match((address or "").strip()) is not None


def notice_message_id(code: str, unique: str, domain: str) -> str:
    """``<statement.K7M2Q9TX4P.3f9a@rd.example>``: a bounce that quotes only the Message-ID still names the code."""
    return f"<statement.{code}.{unique}@{domain}>"


def notice_message(*, code: str, practice_name: str, sender: str, recipient: str, base_url: str,
                   unique: str, sent_at: datetime.datetime | None = None) -> EmailMessage:
    """The notice for statement ``code``, from ``practice_name`` <``sender``> to ``recipient``."""
    if not _CODE.match(code):
        raise InvalidInput(f"statement code {code!r} is not a statement code (4 to 12 letters and digits)")
    if not is_deliverable_address(recipient):
        raise InvalidInput("the patient's e-mail address is not one a notice can be sent to")
    if not is_deliverable_address(sender):
        raise InvalidInput(f"the sender address {sender!r} (DERMBILL_SMTP_FROM) is not an e-mail address")
    if not base_url.startswith(("https://", "http://")) or any(ch.isspace() for ch in base_url):
        raise InvalidInput(f"the statement page's address {base_url!r} must start with https:// (or http://)")
    message = EmailMessage(policy=policy.SMTP)
    # The practice's name is the sender's display name: without it the patient would not know who writes.
    message["From"] = email.utils.formataddr((" ".join(practice_name.split()), sender))
    message["To"] = recipient.strip()
    message["Subject"] = NOTICE_SUBJECT
    if sent_at is not None:
        message["Date"] = email.utils.format_datetime(sent_at)
    message["Message-ID"] = notice_message_id(code, unique, sender.rpartition("@")[2])
    message[STATEMENT_HEADER] = code
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: vacation responders do not answer it
    # 7bit: the words are ASCII, and a quoted-printable body would break the code and the address across lines.
    message.set_content(notice_body(code=code, base_url=base_url), cte="7bit")
    return message


def statement_code_of(identifier: str) -> str | None:
    """The statement code an operator or a bounce gives: a bare code, or a notice's Message-ID (as it was sent:
    the caller decides whether case matters)."""
    text = identifier.strip()
    found = _MESSAGE_ID.search(text)
    if found:
        return found.group(1)
    return text if _CODE.match(text) else None


@dataclass(frozen=True, slots=True)
class Bounce:
    """A delivery status notification that says a notice could not be delivered, and for which statement."""

    code: str
    status: str  # the RFC 3463 status of the failed recipient, e.g. "5.1.1"


@dataclass(frozen=True, slots=True)
class NotABounce:
    """A report that moves nothing to print, and why (a delay, a success, not a delivery report, not ours)."""

    reason: str


def read_bounce(raw: bytes) -> Bounce | NotABounce:
    """What a delivery status notification (RFC 3464) says about one of our notices.

    Only a report whose recipient's ``Action`` is ``failed`` counts: ``delayed`` means the server is still trying
    and ``delivered``/``relayed``/``expanded`` are successes. The statement is named by the returned original's
    ``X-Dermbill-Statement`` header, else its Message-ID (or the report's ``Original-Envelope-Id``)."""
    report = BytesParser(policy=policy.compat32).parsebytes(raw)
    report_type = report.get_param("report-type")
    if report.get_content_type() != "multipart/report" or \
            not isinstance(report_type, str) or report_type.lower() != "delivery-status":
        return NotABounce("not a delivery status report (multipart/report; report-type=delivery-status)")
    status_part: Message | None = None
    original: Message | None = None
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status" and status_part is None:
            status_part = part
        elif kind in ("message/rfc822", "message/global") and original is None:
            payload = part.get_payload()
            first = payload[0] if isinstance(payload, list) and payload else None
            original = first if isinstance(first, Message) else None
        elif kind == "text/rfc822-headers" and original is None:
            text = part.get_payload(decode=True)
            original = HeaderParser().parsestr(text.decode("utf-8", "replace") if isinstance(text, bytes) else "")
    if status_part is None:
        return NotABounce("the report has no message/delivery-status part")
    blocks = status_part.get_payload()
    fields = [block for block in blocks if isinstance(block, Message)] if isinstance(blocks, list) else []
    per_message = fields[0] if fields else None
    failed = [block for block in fields[1:] if (block.get("Action") or "").strip().lower() == "failed"]
    if not failed:
        actions = sorted({(block.get("Action") or "none").strip().lower() for block in fields[1:]})
        return NotABounce(f"no recipient failed (action: {', '.join(actions) or 'none'})")
    code = None
    if original is not None:
        code = statement_code_of(original.get(STATEMENT_HEADER) or "") or \
            statement_code_of(original.get("Message-ID") or "")
    if code is None and per_message is not None:
        code = statement_code_of(per_message.get("Original-Envelope-Id") or "")
    if code is None:
        return NotABounce("the report does not name a statement (no X-Dermbill-Statement header or our Message-ID)")
    status = (failed[0].get("Status") or "").strip().split(" ")[0]
    return Bounce(code=code, status=status or "5.0.0")


def is_permanent_refusal(smtp_code: int) -> bool:
    """Whether a mail server's reply refuses for good (5xx: this address will not take it, send it on paper) rather
    than for now (4xx: try again at the next run)."""
    return 500 <= smtp_code < 600
