"""The queue and audit pages' templates render the API's models (the pages share them): every form that changes
something posts with the session's CSRF token, and nothing is inline (the content security policy forbids it)."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

from dermbill.services.audit_log import AuditSearch
from dermbill.services.denials import RESOLUTIONS
from dermbill.web.api_queues import (
    AppealLetterOut,
    AppealOut,
    AuditEventOut,
    AuditPageOut,
    ClaimLineOut,
    DenialDetailOut,
    DenialItemOut,
    DenialQueueOut,
    FixQueueDetailOut,
    FixQueueItemOut,
    FixQueueOut,
    HistoryOut,
)
from dermbill.web.pages.common import TEMPLATES

CSRF = "csrf-token-of-the-session"
AT = datetime.datetime(2026, 4, 10, 9, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 4, 10)


class Page(HTMLParser):
    """The tags of a page, and its forms with their fields."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.forms: list[tuple[dict[str, str | None], list[dict[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "form":
            self.forms.append((found, []))
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            self.forms[-1][1].append({"tag": tag, **found})

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def content_forms(self) -> list[tuple[dict[str, str | None], list[dict[str, str | None]]]]:
        """The forms of the page's content (not the header's sign-out)."""
        return [(form, fields) for form, fields in self.forms if form.get("action") != "/logout"]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def render(template: str, **context: Any) -> Page:
    user = SimpleNamespace(display_name="Pat", email="pat@era.test", company="ERA TEST BILLING",
                           practices=("ERA", "OTH"))
    html = TEMPLATES.env.get_template(template).render(user=user, csrf_token=CSRF, navigation=[], **context)
    page = Page(html)
    assert_nothing_inline(page)
    assert_posts_carry_the_token(page)
    return page


def assert_nothing_inline(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag != "style", "a style element"
        assert "style" not in attrs, f"a style attribute on <{tag}>"
        assert not [name for name in attrs if name.startswith("on")], f"an event handler on <{tag}>"
        if tag == "script":
            assert attrs.get("src"), "an inline script"


def assert_posts_carry_the_token(page: Page) -> None:
    for form, fields in page.forms:  # the sign-out form's too
        if (form.get("method") or "get").lower() == "post":
            assert {"tag": "input", "type": "hidden", "name": "csrf_token", "value": CSRF} in fields, form


def item(**changes: Any) -> DenialItemOut:
    values: dict[str, Any] = dict(
        id=7, practice="ERA", claim="ERA-2", patient="DOE, JANE", payer="TEST MEDICARE", kind="denial", lines=[1],
        codes=["17311"], carc="197", rarc=["M62"], category="authorization", action="get_authorization",
        cause="CO-197: no authorization on file <b>", amount="1200.00", deadline=TODAY + datetime.timedelta(days=20),
        urgency="due_soon", status="open", assigned_to=None, snoozed_until=None, certain_fix=False,
        follow_up_claim=None, resolution=None)
    values.update(changes)
    return DenialItemOut(**values)


def test_the_denial_queue_is_a_table_of_the_items_with_their_filters() -> None:
    queue = DenialQueueOut(today=TODAY, items=[item(), item(id=8, claim="ERA-3", urgency="no_deadline",
                                                           deadline=None, kind="underpayment", carc=None)])
    page = render("denial_queue.html", queue=queue, practices=["ERA", "OTH"],
                  filters={"status": ["open", "waiting"], "urgency": "due_soon", "assignee": None, "practice": None})
    assert ("a", {"href": "/denials/7"}) in page.tags and ("a", {"href": "/denials/8"}) in page.tags
    assert "ERA-2" in page.all_text and "$1200.00" in page.all_text and "underpaid" in page.all_text
    assert "2 work items" in page.all_text
    [(form, fields)] = page.content_forms
    assert form["method"] == "get" and {f.get("name") for f in fields} >= {"status", "urgency", "assignee",
                                                                            "practice"}
    empty = render("denial_queue.html", queue=DenialQueueOut(today=TODAY, items=[]), practices=["ERA"],
                   filters={"status": ["open"], "urgency": None, "assignee": None, "practice": None})
    assert "No work item matches" in empty.all_text


def detail(**changes: Any) -> DenialDetailOut:
    return DenialDetailOut(**item(**changes).model_dump(), fixes=[], relies_on=["LCD L34200"],
                           history=[HistoryOut(at=AT, actor="pat", action="denial.noted", detail="note: <called>")],
                           appeals=[AppealOut(file="appeal-ERA-2-item7-20260410.pdf", status="sent", deadline=None)])


def test_the_item_page_has_a_form_for_each_action_the_user_may_take() -> None:
    everything = {"work": True, "appeal": True, "correct": True}
    page = render("denial_item.html", item=detail(), can=everything, resolutions=RESOLUTIONS, today=TODAY,
                  message="work item 7 is assigned to pat", problems={"until": "not after today"})

    actions = {form["action"]: form["method"] for form, _ in page.content_forms}
    assert actions == {f"/denials/7/{action}": "post"
                       for action in ("assign", "note", "snooze", "resolve", "correct", "appeal")}
    fields = {form["action"]: {f.get("name") for f in found} for form, found in page.content_forms}
    assert fields["/denials/7/resolve"] >= {"resolution", "note"}
    assert fields["/denials/7/correct"] >= {"authorization"}  # an authorization denial: the number is asked for
    assert ("a", {"href": "/denials/7/appeal-letter.pdf", "download": None}) in page.tags
    assert "not after today" in page.all_text and "work item 7 is assigned to pat" in page.all_text
    assert "no authorization on file <b>" in page.all_text  # escaped text, not markup
    assert "note: <called>" in page.all_text

    reader = render("denial_item.html", item=detail(), can={"work": False, "appeal": False, "correct": False},
                    resolutions=RESOLUTIONS, today=TODAY)
    assert reader.content_forms == []
    resolved = render("denial_item.html", item=detail(status="resolved", resolution="write_off: cosmetic"),
                      can=everything, resolutions=RESOLUTIONS, today=TODAY)
    assert [form["action"] for form, _ in resolved.content_forms] == ["/denials/7/note"]


def test_the_appeal_letter_page_shows_the_letter_and_the_download() -> None:
    letter = AppealLetterOut(
        item_id=7, claim="ERA-2", file_name="appeal-ERA-2-item7-20260410.pdf", deadline=TODAY, title="Request for "
        "redetermination", payer_name="TEST MEDICARE", payer_address_lines=[], patient_name="DOE, JANE",
        member_id="1EG4TE5MK72", payer_claim_number=None, rendering_provider="ANN TESTDOC", lines=[], summary="s",
        documentation=[], policies=[], request="r", enclosures=[], signer="ANN TESTDOC",
        text="ERA TEST DERMATOLOGY\nRE: Patient: DOE, JANE\n")
    page = render("appeal_letter.html", letter=letter, can_send=True)
    assert "RE: Patient: DOE, JANE" in page.all_text
    assert [form["action"] for form, _ in page.content_forms] == ["/denials/7/appeal"]


def test_the_fix_queue_lists_the_rejected_claims() -> None:
    rejected = FixQueueItemOut(practice="ERA", claim="ERA-5", payer="TSTMCR", payer_name="TEST MEDICARE",
                               field="member ID", message="SUBSCRIBER NOT FOUND", fix="check the card",
                               rejected_at=AT)
    page = render("fix_queue.html", queue=FixQueueOut(items=[rejected]), practices=["ERA"])
    assert ("a", {"href": "/fix-queue/ERA-5"}) in page.tags
    assert "SUBSCRIBER NOT FOUND" in page.all_text and "check the card" in page.all_text
    one = render("fix_queue_item.html", claim=FixQueueDetailOut(
        **rejected.model_dump(), status="rejected", patient="DOE, JANE", member_id="1EG4TE5MK72",
        total_charge="150.00", rejections=[],
        lines=[ClaimLineOut(line_number=1, code="11102", modifiers=[], units=1, charge="150.00",
                            date_of_service=TODAY)]))
    assert "1EG4TE5MK72" in one.all_text and "11102" in one.all_text
    assert "The fix queue is empty" in render("fix_queue.html", queue=FixQueueOut(items=[]), practices=[]).all_text


def test_the_audit_log_page_has_the_search_the_events_and_the_export() -> None:
    event = AuditEventOut(sequence=41, occurred_at=AT, actor="pat@era.test", source="POST /api/v1/denials/{item_id}"
                          "/note", address="10.0.0.9", action="denial.noted", entity_type="denial_item", entity_id=7,
                          practice_id=1, detail={"note": "<script>x</script>"})
    search = AuditSearch(claim="ERA-2", since=TODAY)
    page = render("audit_log.html", page=AuditPageOut(events=[event], next_before=41), search=search,
                  query="claim=ERA-2&since=2026-04-10", problems={})
    [(form, fields)] = page.content_forms
    assert form["method"] == "get" and form["action"] == "/audit"
    assert {f.get("name") for f in fields} >= {"actor", "action", "entity_type", "entity_id", "claim", "since",
                                               "until", "text"}
    assert {"tag": "input", "id": "claim", "name": "claim", "type": "text", "value": "ERA-2"} in fields
    assert ("a", {"class": "button", "href": "/audit.csv?claim=ERA-2&since=2026-04-10", "download": None}) in page.tags
    assert ("a", {"href": "/audit?claim=ERA-2&since=2026-04-10&before=41"}) in page.tags
    assert "denial.noted" in page.all_text
    assert not [tag for tag, _ in page.tags if tag == "script" and _.get("src") is None]
