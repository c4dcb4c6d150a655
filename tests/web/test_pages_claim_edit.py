"""Editing a claim on its page: a line changed through its form (a plain POST, or the row htmx swaps in), each
problem by its field and nothing saved; scrub, send, corrected claim and void buttons shown only when the roles and
the claim's state allow them; a state that does not allow a change is said on the page (409); every change is in
the claim's history."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from edit_world import paid
from era_world import LineSpec, add_claim
from page_world import Pages, pages, problem_of, value_of
from sqlalchemy import select

from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow
from dermbill.db.repositories import UnitOfWork

__all__ = ["pages"]  # the fixture
LINES: list[LineSpec] = [("11102", (), 15000), ("11103", (), 5000)]


def text(answer: Any) -> str:
    return html.unescape(answer.text)


def units_of(database: Database, claim_number: str, line_number: int) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return uow.session.scalars(select(ClaimLineRow.units).join(ClaimRow, ClaimRow.id == ClaimLineRow.claim_id)
                                   .where(ClaimRow.patient_control_number == claim_number,
                                          ClaimLineRow.line_number == line_number)).one()


def line_form(**changes: str) -> dict[str, str]:
    return {"procedure_code": "11103", "modifiers": "", "units": "1", "diagnosis_pointers": "1", "charge": "50.00",
            **changes}


def test_a_line_with_a_bad_unit_comes_back_with_the_message_by_the_field(pages: Pages, database: Database) -> None:
    claim = add_claim(pages.ours, LINES, submit=False)
    pages.as_("coder")
    opened = pages.client.get(f"/claims/{claim.pcn}?edit=2")
    assert value_of(opened.text, "line-2-units") == "1" and value_of(opened.text, "line-2-charge") == "50.00"

    refused = pages.post(f"/claims/{claim.pcn}/lines/2", **line_form(units="two", modifiers="59 X"))

    assert refused.status_code == 422
    page = text(refused)
    assert "units must be a whole number from 1 to 999" in problem_of(page, "line-2-units")
    assert "'X' is not a modifier" in problem_of(page, "line-2-modifiers")
    assert value_of(page, "line-2-units") == "two" and value_of(page, "line-2-modifiers") == "59 X"
    assert units_of(database, claim.pcn, 2) == 1


def test_a_good_line_edit_is_saved_scrubbed_and_in_the_history(pages: Pages, database: Database) -> None:
    claim = add_claim(pages.ours, LINES, submit=False)
    pages.as_("coder")

    saved = pages.post(f"/claims/{claim.pcn}/lines/2", **line_form(units="2", modifiers="59"))

    assert saved.status_code == 303 and saved.headers["location"] == f"/claims/{claim.pcn}"
    page = text(pages.client.get(f"/claims/{claim.pcn}"))
    assert "Line 2 saved; the claim is ready." in page
    assert "line 2 edited: modifiers none -> 59; units 1 -> 2" in page  # the history section
    assert units_of(database, claim.pcn, 2) == 2


def test_htmx_swaps_the_row_for_its_form(pages: Pages) -> None:
    claim = add_claim(pages.ours, LINES, submit=False)
    pages.as_("coder")
    page = pages.client.get(f"/claims/{claim.pcn}").text
    assert f'hx-get="/claims/{claim.pcn}/lines/1/edit"' in page and f'href="/claims/{claim.pcn}?edit=1#line-1"' in page

    row = pages.client.get(f"/claims/{claim.pcn}/lines/1/edit", headers={"HX-Request": "true"})

    assert row.status_code == 200 and row.text.lstrip().startswith('<tr id="line-1" class="line-edit">')
    assert f'action="/claims/{claim.pcn}/lines/1"' in row.text and 'name="csrf_token"' in row.text
    assert re.search(r'<input id="line-1-procedure_code"[^>]* autofocus', row.text)  # the keyboard carries on
    plain = pages.client.get(f"/claims/{claim.pcn}/lines/1/edit")
    assert plain.status_code == 303 and plain.headers["location"] == f"/claims/{claim.pcn}?edit=1#line-1"


def test_buttons_follow_roles_and_state(pages: Pages, tmp_path: Path) -> None:
    claim = add_claim(pages.ours, LINES, submit=False)
    settled = paid(pages.ours, tmp_path, LINES)

    pages.as_("coder")
    page = pages.client.get(f"/claims/{claim.pcn}").text
    assert ">Scrub again<" in page and ">Send<" not in page and "Edit<span" in page
    assert pages.post(f"/claims/{claim.pcn}/send").status_code == 403
    assert ">Scrub again<" not in pages.client.get(f"/claims/{settled.pcn}").text

    pages.as_("biller")
    assert ">Send<" in pages.client.get(f"/claims/{claim.pcn}").text
    assert "Corrected claim" not in pages.client.get(f"/claims/{settled.pcn}").text

    pages.as_("denial_specialist")
    page = pages.client.get(f"/claims/{settled.pcn}").text
    assert "Corrected claim (7)" in page and "Void (8)" in page and "Edit<span" not in page
    made = pages.post(f"/claims/{settled.pcn}/correct", frequency="7", reason="units on line 2 were wrong")
    assert made.status_code == 303 and made.headers["location"] == f"/claims/{settled.pcn}C1"
    assert f"Corrected claim {settled.pcn}C1 made for claim {settled.pcn}" in text(
        pages.client.get(f"/claims/{settled.pcn}C1"))
    assert f"replaced by corrected claim {settled.pcn}C1: units on line 2 were wrong" in text(
        pages.client.get(f"/claims/{settled.pcn}"))


def test_a_state_that_does_not_allow_the_change_is_said_on_the_claim_page(pages: Pages, tmp_path: Path) -> None:
    settled = paid(pages.ours, tmp_path, LINES)
    pages.as_("biller")

    refused = pages.post(f"/claims/{settled.pcn}/lines/1", **line_form(units="2"))
    assert refused.status_code == 409
    assert "send a corrected claim" in text(refused) and f"Claim {settled.pcn}" in text(refused)
    again = pages.post(f"/claims/{settled.pcn}/send")
    assert again.status_code == 409 and "not ready" in text(again)


def test_scope_and_csrf(pages: Pages) -> None:
    mine = add_claim(pages.ours, LINES, submit=False)
    theirs = [add_claim(pages.theirs, LINES, submit=False) for _ in range(2)][-1]  # ERA-2: only theirs has it

    pages.as_("biller")
    assert pages.client.get(f"/claims/{theirs.pcn}").status_code == 404
    assert pages.post(f"/claims/{theirs.pcn}/lines/1", **line_form(units="2")).status_code == 404
    assert pages.post(f"/claims/{theirs.pcn}/scrub").status_code == 404
    assert pages.client.get(f"/claims/{theirs.pcn}/lines/1/edit", headers={"HX-Request": "true"}).status_code == 404
    assert pages.client.post(f"/claims/{mine.pcn}/lines/1", data=line_form(units="2")).status_code == 403
    assert pages.client.post(f"/claims/{mine.pcn}/scrub").status_code == 403
    pages.as_("front_desk")
    assert pages.post(f"/claims/{mine.pcn}/lines/1", **line_form(units="2")).status_code == 403
