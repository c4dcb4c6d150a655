"""Journeys through the staff web application in a real browser, as a person with a keyboard and a mouse takes them.

Each journey is a function of its own: open a page, look (a screenshot under test-artifacts/screenshots/), act,
check what the person sees. Add the journeys of new screens here: sign in with ``browsing.sign_in(page, email)``
as one of the world's staff (tests/web_world.py: ``staff_email(role)``, both demo practices, no second factor).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from browsing import LiveServer, screenshot, sign_in
from playwright.sync_api import Page, expect
from web_world import AS_OF, staff_email

from dermbill.core.access import Role


def test_the_login_page_is_labelled_keyboard_ready_and_sent_with_the_security_headers(page: Page) -> None:
    answer = page.goto("/login")
    assert answer is not None and answer.status == 200
    screenshot(page, "login")

    email = page.get_by_label("Email")
    expect(email).to_be_visible()
    expect(email).to_have_attribute("type", "email")
    expect(email).to_be_focused()  # autofocus: a person can type at once
    # Tab walks the form in reading order: email, password, the code, then the button.
    seen = []
    for _ in range(3):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()"))
    assert seen == ["password", "code", "Sign in"]
    headers = answer.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_the_api_without_a_token_answers_401_in_json(page: Page) -> None:
    answer = page.request.get("/api/v1/claims")

    assert answer.status == 401
    assert answer.headers["content-type"].startswith("application/json")
    assert "Authorization: Bearer" in json.loads(answer.text())["detail"]


def test_a_biller_signs_in_and_lands_on_the_dashboard(page: Page, live_server: LiveServer) -> None:
    sign_in(page, staff_email(Role.BILLER))

    assert page.url == f"{live_server.url}/dashboard"
    screenshot(page, "dashboard-biller")
    expect(page.get_by_role("link", name="Payments", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)  # administration is not a biller's


def _patient_of(url: str, claim_number: str) -> tuple[int, str]:
    from sqlalchemy import select

    from dermbill.db.engine import open_database
    from dermbill.db.models import ClaimRow, CoverageRow

    database = open_database(url)
    try:
        with database.sessions() as session:
            claim = session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == claim_number)).one()
            member = session.scalars(select(CoverageRow.member_id).where(CoverageRow.patient_id == claim.patient_id)
                                     .order_by(CoverageRow.id)).first()
            assert member is not None
            return claim.patient_id, member
    finally:
        database.dispose()


def _mistyped_fixed(member_id: str) -> str:
    """Another member ID of the same shape: the last character moved on by one."""
    last = member_id[-1]
    moved = str((int(last) + 1) % 10) if last.isdigit() else ("A" if last == "Z" else chr(ord(last) + 1))
    return member_id[:-1] + moved


def test_a_biller_fixes_a_rejected_claims_member_id_and_sends_it(page: Page, live_server: LiveServer) -> None:
    from web_world import rejected_claim

    from dermbill.db.engine import open_database

    database = open_database(live_server.world.url)
    try:
        claim = rejected_claim(database, "D1")
    finally:
        database.dispose()
    patient_id, member_id = _patient_of(live_server.world.url, claim)
    sign_in(page, staff_email(Role.BILLER))
    page.get_by_role("link", name="Fix queue").click()
    screenshot(page, "fix-queue")
    page.get_by_role("link", name=claim).first.click()
    screenshot(page, "fix-queue-item")

    page.goto(f"/patients/{patient_id}")
    field = page.get_by_label("Member ID").first
    field.fill(_mistyped_fixed(member_id))
    field.press("Enter")  # the keyboard submits the form
    page.wait_for_load_state()
    screenshot(page, "patient-member-id-fixed")
    expect(page.get_by_role("status").first).to_contain_text(claim)

    page.goto(f"/claims/{claim}")
    expect(page.get_by_text("ready", exact=True).first).to_be_visible()
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    screenshot(page, "claim-sent")
    expect(page.get_by_text("submitted", exact=True).first).to_be_visible()


def test_front_desk_is_refused_the_billers_screens(page: Page) -> None:
    sign_in(page, staff_email(Role.FRONT_DESK))
    expect(page.get_by_role("link", name="Payments", exact=True)).to_have_count(0)
    for path in ("/payments", "/claims", "/denials", "/fix-queue"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
    screenshot(page, "front-desk-refused")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_a_coder_of_one_practice_cannot_open_another_practices_claim(page: Page, live_server: LiveServer) -> None:
    from web_world import rejected_claim

    from dermbill.db.engine import open_database

    database = open_database(live_server.world.url)
    try:
        theirs = rejected_claim(database, "D2")
    finally:
        database.dispose()
    sign_in(page, staff_email(Role.CODER, "D1"))
    answer = page.goto(f"/claims/{theirs}")
    assert answer is not None and answer.status == 404
    screenshot(page, "coder-other-practice-404")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_signing_in_with_a_second_factor(page: Page, live_server: LiveServer) -> None:
    import re

    from dermbill import credentials
    from dermbill.clock import utc_now
    from dermbill.services.schema import connect
    from dermbill.services.users import set_company_totp

    set_company_totp(connect(live_server.world.url), "TEST DERM BILLING CO (DEMO)", required=True, actor="test")
    sign_in(page, staff_email(Role.DENIAL_SPECIALIST))
    assert page.url.endswith("/account/totp")
    screenshot(page, "totp-enrolment")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Six-digit code").fill(credentials.totp_code(secret, utc_now()))
    page.get_by_role("button", name="Turn on").click()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "totp-recovery-codes")
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("Email").fill(staff_email(Role.DENIAL_SPECIALIST))
    page.get_by_label("Password").fill("correct horse battery staple 9")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("six-digit code")
    page.get_by_label("Password").fill("correct horse battery staple 9")
    page.get_by_label("Code from your authenticator app").fill(codes[0])  # a recovery code stands in for the phone
    page.get_by_role("button", name="Sign in").click()
    assert re.search(r"/dashboard$", page.url)


def test_a_denial_specialist_corrects_a_denied_claim_from_the_queue(page: Page, live_server: LiveServer) -> None:
    from web_world import correctable_denial

    from dermbill.db.engine import open_database

    database = open_database(live_server.world.url)
    try:
        item_id, claim = correctable_denial(database)
    finally:
        database.dispose()
    sign_in(page, staff_email(Role.DENIAL_SPECIALIST))
    page.get_by_role("link", name="Denials", exact=True).click()
    screenshot(page, "denial-queue")
    row = page.get_by_role("row").filter(has_text=claim)
    expect(row).to_contain_text("certain fix")
    row.get_by_role("link", name=str(item_id), exact=True).click()
    screenshot(page, "denial-item")
    expect(page.get_by_text("use 59 and send a corrected claim").first).to_be_visible()

    page.get_by_role("button", name="Make the corrected claim").click()
    page.wait_for_load_state()
    screenshot(page, "denial-item-corrected")
    expect(page.get_by_role("status").first).to_contain_text("The corrected claim is made and scrubbed")
    follow_up = page.get_by_role("link", name=f"{claim}C1", exact=True)
    expect(follow_up).to_be_visible()
    expect(page.get_by_role("button", name="Make the corrected claim")).to_have_count(0)  # made once only

    follow_up.click()
    screenshot(page, "corrected-claim")
    expect(page.get_by_text(f"claim {claim}", exact=True)).to_be_visible()  # "Replaces": the original
    expect(page.get_by_role("cell", name="59").first).to_be_visible()  # the line's new modifier


def _d1_patient(url: str) -> tuple[int, str, int, int]:
    """(id, account number, provider id, location id) of a D1 patient with a primary coverage, for the coder."""
    from sqlalchemy import select

    from dermbill.db.engine import open_database
    from dermbill.db.models import CoverageRow, PatientRow, PracticeRow, ProviderRow, ServiceLocationRow

    database = open_database(url)
    try:
        with database.sessions() as session:
            practice = session.scalars(select(PracticeRow.id).where(PracticeRow.code == "D1")).one()
            patient = session.scalars(select(PatientRow).join(CoverageRow, CoverageRow.patient_id == PatientRow.id)
                                      .where(PatientRow.practice_id == practice,
                                             CoverageRow.coverage_order == "primary",
                                             CoverageRow.termination_date.is_(None))
                                      .order_by(PatientRow.id)).first()
            assert patient is not None
            provider = session.scalars(select(ProviderRow.id).where(ProviderRow.practice_id == practice)
                                       .order_by(ProviderRow.id)).first()
            location = session.scalars(select(ServiceLocationRow.id).where(
                ServiceLocationRow.practice_id == practice).order_by(ServiceLocationRow.id)).first()
            assert provider is not None and location is not None
            return patient.id, patient.account_number, provider, location
    finally:
        database.dispose()


def test_a_coder_enters_a_biopsy_and_an_excision_with_a_repair_on_the_body_map_and_sees_the_codes_and_one_gap(
        page: Page, live_server: LiveServer) -> None:
    _, account, provider, location = _d1_patient(live_server.world.url)
    sign_in(page, staff_email(Role.CODER))
    page.get_by_role("link", name="Coding", exact=True).click()
    screenshot(page, "coding-workspace")
    page.get_by_label("Enter an encounter for the patient with account number").fill(account)
    page.get_by_role("button", name="Open the entry form").click()
    page.get_by_label("Rendering provider").select_option(str(provider))
    page.get_by_label("Location").select_option(str(location))

    # Lesion A, with the mouse: the biopsy of the left forearm.
    page.get_by_label("Lesion A: the body map fills its site").check()
    page.get_by_role("button", name="left forearm (front)").click()
    expect(page.get_by_label("Lesion A site")).to_have_value("forearm")
    expect(page.get_by_label("Lesion A side")).to_have_value("left")
    page.get_by_label("Lesion A diagnosis").fill("neoplasm_unspecified_behavior")
    page.get_by_label("Lesion A pathology").fill("melanocytic_nevus")
    page.get_by_label("Lesion A procedure").select_option("biopsy")
    page.get_by_label("Lesion A biopsy technique").select_option("tangential")

    # Lesion B, with the keyboard: the region takes the focus and Enter places the lesion there.
    page.get_by_label("Lesion B: the body map fills its site").check()
    region = page.get_by_role("button", name="upper back (back)")
    region.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Lesion B site")).to_have_value("back_upper")
    page.get_by_label("Lesion B diagnosis").fill("bcc")
    page.get_by_label("Lesion B size (cm)").fill("1.0")
    page.get_by_label("Lesion B procedure").select_option("excision")
    page.get_by_label("Lesion B repair", exact=True).select_option("intermediate")
    page.get_by_label("Lesion B repair length (cm)").fill("4")

    result = page.locator("#coding-result")
    expect(result).to_contain_text("12032")
    expect(result).to_contain_text("11102")
    expect(result).to_contain_text("Lesion B (upper back): no margin documented, so the excised diameter and the "
                                   "code cannot be chosen.")
    expect(result.get_by_role("checkbox")).to_have_count(1)  # one documentation gap to send
    # A forearm is drawn from the front and from the back: lesion A's dot is on both; the upper back only behind.
    expect(page.locator(".body-map .dot-letter")).to_have_text(["A", "A", "B"])
    screenshot(page, "coding-entry-body-map")

    result.get_by_role("checkbox").check()  # send the gap to the provider with the encounter
    page.get_by_role("button", name="Save the encounter").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status").first).to_contain_text("query(ies) sent to the provider")
    expect(page.get_by_text("no margin documented").first).to_be_visible()
    screenshot(page, "coding-encounter-held-for-query")


def test_a_held_encounter_is_released_by_a_pathology_result(page: Page, live_server: LiveServer) -> None:
    from web_world import WORKING_DAY

    from dermbill.db.engine import open_database
    from dermbill.services.encounter_coding import save_encounter
    from dermbill.services.pathology import held_encounters

    patient, _, provider, location = _d1_patient(live_server.world.url)
    database = open_database(live_server.world.url)
    try:
        from sqlalchemy import select

        from dermbill.db.models import PracticeRow
        with database.sessions() as session:
            ids = [session.scalars(select(PracticeRow.id).where(PracticeRow.code == "D1")).one()]
        saved = save_encounter(database, ids, patient_id=patient, provider_id=provider, location_id=location,
                               actor=staff_email(Role.CODER), document={
                                   "date_of_service": WORKING_DAY.isoformat(), "payer": "commercial",
                                   "patient": {"age": 70, "sex": "F"}, "visit": None, "services": [],
                                   "lesions": [{"id": "A", "site": "nose", "diagnosis": "neoplasm_unspecified_behavior",
                                                "pathology": "pending", "diameter_cm": 0.8,
                                                "procedures": [{"type": "excision", "margin_cm": 0.2}]}]})
        assert saved.status == "held"
        assert any(h.encounter_id == saved.encounter_id for h in held_encounters(database, ids, actor="test"))
    finally:
        database.dispose()

    sign_in(page, staff_email(Role.CODER))
    page.get_by_role("link", name="Coding", exact=True).click()
    page.get_by_role("link", name="held for pathology").click()
    screenshot(page, "pathology-inbox")
    form = page.locator(f"form[action='/coding/pathology/{saved.encounter_id}']")
    form.get_by_label("Lesion A").fill("bcc")
    form.get_by_role("button", name="Enter the pathology").click()
    page.wait_for_load_state()
    outcome = page.get_by_role("status").first
    expect(outcome).to_contain_text(f"Encounter {saved.encounter_id}: released, claim")
    expect(outcome).to_contain_text("added 1164")
    screenshot(page, "pathology-released")
    outcome.get_by_role("link", name="Open claim").click()
    expect(page.get_by_text("coded", exact=True).first).to_be_visible()


def _an_835_for_two_open_claims(url: str, folder: Path) -> tuple[Path, str, str]:
    """Two new claims of a D1 patient sent to the payer (tests/era_world.py's), and an 835 written by our writer
    paying both: the first by its number, the second under a number the payer mistyped (it matches no claim);
    returns the file and the two claim numbers."""
    import dataclasses

    from era_world import World, add_claim, paid_claim, settled
    from sqlalchemy import select

    from dermbill.core.remittance import Remittance
    from dermbill.db.engine import open_database
    from dermbill.db.models import ClaimRow, PayerRow, PracticeRow
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
    from dermbill.x12.remittance_835_writer import write_835

    database = open_database(url)
    try:
        with database.sessions() as session:
            practice = session.scalars(select(PracticeRow).where(PracticeRow.code == "D1")).one()
        world = World(database, practice.id, ())
        first = add_claim(world, [("11102", (), 15000), ("17110", (), 12000)])
        second = add_claim(world, [("11102", (), 15000), ("17110", (), 12000)])
        with database.sessions() as session:
            payer = session.scalars(select(PayerRow).join(ClaimRow, ClaimRow.payer_id == PayerRow.id)
                                    .where(ClaimRow.id == first.id)).one()
        typo = dataclasses.replace(paid_claim(second, tuple(settled(line, 9000, patient=(("2", 1000),))
                                                            for line in second.lines)),
                                   patient_control_number="X" + second.pcn)
        remittance = Remittance(payer.name, payer.payer_identifier or "", practice.legal_name, practice.billing_npi,
                                "EFT-JOURNEY-1", AS_OF, (paid_claim(first, tuple(
                                    settled(line, 9000, patient=(("2", 1000),)) for line in first.lines)), typo))
        text = write_835((remittance,), ClearinghouseProfile("PAYER", "PAYER", "EDI", "2155550100", "RECEIVER",
                                                             "RECEIVER"),
                         ControlNumbers(41, 41, 1), datetime.datetime(2026, 11, 27, 9, tzinfo=datetime.UTC))
        path = folder / "journey.835"
        path.write_text(text)
        return path, first.pcn, second.pcn
    finally:
        database.dispose()


def test_a_poster_uploads_an_835_opens_an_eob_and_matches_an_unmatched_payment_by_hand(
        page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    path, paid, mistyped = _an_835_for_two_open_claims(live_server.world.url, tmp_path)
    sign_in(page, staff_email(Role.BILLER))
    page.get_by_role("link", name="Payments", exact=True).click()
    page.get_by_label("Upload an 835 remittance").set_input_files(str(path))
    page.get_by_role("button", name="Upload and post").click()
    page.wait_for_load_state()
    screenshot(page, "payments-uploaded")
    expect(page.get_by_role("status")).to_contain_text("1 held for a person")

    page.get_by_role("link", name="EFT-JOURNEY-1").click()
    screenshot(page, "remittance")
    page.get_by_role("link", name=f"EOB of claim {paid}").click()
    page.wait_for_load_state()
    screenshot(page, "eob")
    expect(page.get_by_role("heading", name=f"Claim {paid}: processed as primary")).to_be_visible()
    expect(page.get_by_text("patient responsibility").first).to_be_visible()  # PR in words
    expect(page.get_by_role("button", name="Print this EOB")).to_be_visible()

    page.goto("/payments")
    page.get_by_role("link", name=f"Match to a claim (payment X{mistyped})").click()
    search = page.get_by_label("Claim number or patient name")
    expect(search).to_be_focused()
    search.fill(mistyped)
    search.press("Enter")  # the keyboard searches
    page.wait_for_load_state()
    page.get_by_role("link", name=f"Choose claim {mistyped}").click()
    page.wait_for_load_state()
    screenshot(page, "unmatched-match")
    page.get_by_role("button", name=f"Post to claim {mistyped}").click()
    page.wait_for_load_state()
    screenshot(page, "unmatched-matched")
    expect(page.get_by_role("status")).to_contain_text(f"Posted the held payment to claim {mistyped}")
    expect(page.get_by_text("Every claim payment found its claim")).to_be_visible()
