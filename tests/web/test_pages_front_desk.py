"""The front desk's pages: the day's schedule with each visit's eligibility, asking again for a visit, the work list
where a member ID is fixed and eligibility asked again, a proposed order change accepted, booking an appointment;
each only for those allowed, within their practices."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from eligibility_world import VISIT_DAY, EligibilityWorld, eligibility_world
from era_world import NOW
from fastapi.testclient import TestClient
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import open_database
from dermbill.db.models import AppointmentRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.eligibility import run_eligibility
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app

DAY = f"/front-desk/schedule?day={VISIT_DAY.isoformat()}"


@dataclass
class Desk:
    client: TestClient
    world: EligibilityWorld
    csrf: str = ""

    def as_(self, role: Role) -> Desk:
        self.client.cookies.clear()
        sign_in(self.client, f"{role.value}@era.test")
        self.csrf = csrf_of(self.client)
        return self

    def post(self, path: str, **fields: str) -> httpx.Response:
        return self.client.post(path, data={"csrf_token": self.csrf, **fields})

    def page(self, path: str) -> str:
        answer = self.client.get(path)
        assert answer.status_code == 200, answer.text
        return html.unescape(answer.text)


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv(TODAY_VARIABLE, NOW.date().isoformat())
    url = migrated_sqlite_url(tmp_path / "desk.db")
    database = open_database(url)
    try:
        world = eligibility_world(database, tmp_path)
        monkeypatch.setenv("DERMBILL_CONFIG", str(world.config_file))
        set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
        for role in (Role.FRONT_DESK, Role.CODER):
            add_user(database, company="ERA TEST BILLING", email=f"{role.value}@era.test", display_name=role.label,
                     roles=[role], practices=["ERA"], password=PASSWORD, actor="test")
        with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
            client.app.state.inbox = world.inbox  # type: ignore[attr-defined]
            client.app.state.outbox = world.outbox  # type: ignore[attr-defined]
            yield Desk(client, world)
    finally:
        database.dispose()


def _patient_id(desk: Desk, account: str) -> int:
    with UnitOfWork(desk.world.database, actor="test") as uow:
        return uow.session.scalars(select(PatientRow.id).where(PatientRow.account_number == account)).one()


def test_the_schedule_shows_each_visit_with_its_eligibility_and_asks_again(desk: Desk) -> None:
    desk.as_(Role.FRONT_DESK)
    page = desk.page(DAY)
    assert page.count('<tr id="visit-') == 8 and "7 need attention before the visit" in page
    assert '<a href="/front-desk/schedule?day=2026-04-02" rel="prev">' in page and "never" in page
    assert page.count("Check eligibility") == 7  # not for the self-pay patient
    answer = desk.post(f"/front-desk/appointments/{desk.world.appointments['A-3']}/eligibility",
                       day=VISIT_DAY.isoformat())
    assert answer.status_code == 303 and answer.headers["location"] == DAY
    page = desk.page(DAY)
    assert "Eligibility asked again: invalid member ID. See the work list for the fix." in page
    row = re.search(rf'<tr id="visit-{desk.world.appointments["A-3"]}" class="flagged">(.*?)</tr>', page, re.S)
    assert row and "Attention:" in row.group(1) and "invalid member ID" in row.group(1)
    assert "member ID on the front of the insurance card" in row.group(1) and " ago" in row.group(1)


def test_the_work_list_fixes_a_member_id_and_asks_again(desk: Desk) -> None:
    run_eligibility(desk.world.database, desk.world.config, inbox=desk.world.inbox, outbox=desk.world.outbox,
                    now=NOW, days=1)
    desk.as_(Role.FRONT_DESK)
    page = desk.page("/front-desk/eligibility")
    assert page.count('<section class="card" id="item-') == 6
    item = re.search(r'<section class="card" id="item-(\d+)"[^>]*>\s*<h3[^>]*><a[^>]*>TESTGAMMA, BOB</a>', page)
    assert item, page
    assert "TEST MEDICARE is primary, not TEST BLUE" in page
    answer = desk.post(f"/front-desk/eligibility/{item.group(1)}/fix", member_id="2EG4TE5MK73")
    assert answer.status_code == 303
    page = desk.page("/front-desk/eligibility")
    assert "Eligibility asked again: active." in page and "TESTGAMMA, BOB" not in page
    proposal = re.search(r'action="/front-desk/eligibility/order-changes/(\d+)"', page)
    assert proposal
    answer = desk.post(f"/front-desk/eligibility/order-changes/{proposal.group(1)}", decision="accept")
    assert answer.status_code == 303
    page = desk.page("/front-desk/eligibility")
    assert "TEST MEDICARE is now the primary coverage" in page and "order-changes/" not in page


def test_an_appointment_is_booked_and_changed_through_a_small_form(desk: Desk) -> None:
    desk.as_(Role.FRONT_DESK)
    patient = _patient_id(desk, "A-1")
    assert "/front-desk/appointments/new?patient=" in desk.page(f"/patients/{patient}")
    form = desk.page(f"/front-desk/appointments/new?patient={patient}")
    assert 'id="appt-start"' in form and "TESTDOC, ANN (1234567893)" in form
    refused = desk.post("/front-desk/appointments", patient=str(patient), start="next tuesday",
                        planned_codes="11102 BX")
    assert refused.status_code == 422
    assert 'id="appt-start-error"' in refused.text and 'id="appt-planned_codes-error"' in refused.text
    booked = desk.post("/front-desk/appointments", patient=str(patient), start="2026-04-06 14:15", minutes="30",
                       provider_npi="1234567893", location="OFFICE", visit_type="procedure", planned_codes="11102",
                       status="booked")
    assert booked.status_code == 303 and booked.headers["location"] == "/front-desk/schedule?day=2026-04-06"
    with UnitOfWork(desk.world.database, actor="test") as uow:
        row = uow.session.scalars(select(AppointmentRow).where(AppointmentRow.patient_id == patient)
                                  .order_by(AppointmentRow.id.desc())).first()
        assert row is not None and (row.minutes, row.planned_codes, row.starts_at.hour) == (30, ["11102"], 14)
        booked_id = row.id
    assert "14:15" in desk.page("/front-desk/schedule?day=2026-04-06")
    changed = desk.post(f"/front-desk/appointments/{booked_id}", start="2026-04-06 15:00", minutes="30",
                        status="cancelled")
    assert changed.status_code == 303
    assert "No appointments on 2026-04-06" in desk.page("/front-desk/schedule?day=2026-04-06")


def test_only_the_front_desk_and_only_its_practices(desk: Desk) -> None:
    desk.as_(Role.CODER)
    assert desk.client.get("/front-desk/eligibility").status_code == 403
    seen = desk.page(DAY)  # a coder sees patients, and so the schedule, but does not ask payers
    assert seen.count('<tr id="visit-') == 8 and "Check eligibility" not in seen
    desk.as_(Role.FRONT_DESK)
    assert desk.client.get("/front-desk/appointments/999999/edit").status_code == 404
    assert desk.post("/front-desk/appointments/999999/eligibility").status_code == 404
    assert desk.client.get("/front-desk/schedule?day=someday").status_code == 404
    assert desk.client.post(f"/front-desk/appointments/{desk.world.appointments['A-1']}/eligibility").status_code \
        == 403  # no CSRF token
