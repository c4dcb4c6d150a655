"""The reference-release bulletin page (/reference/changes) and its PDF: a front-desk user reads the changes loaded;
a period it cannot read is said on the page; a visitor not signed in is sent to sign in."""

from __future__ import annotations

import datetime
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from era_world import add_claim, practice_world
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.reference_releases import update_releases
from dermbill.services.users import add_user, set_company_totp

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_next_release.py"


@pytest.fixture
def client(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    world = practice_world(database)
    add_claim(world, [("11102", (), 15000), ("11104", (), 15000)])  # 2026-03-02: in the year before today
    add_claim(world, [("11102", (), 15000)])
    practice_world(database, company="OTHER TEST BILLING", submitter="OTHERSUB", code="OTHER")
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    add_user(database, company="ERA TEST BILLING", email="desk@era.test", display_name="desk", roles=[Role.FRONT_DESK],
             practices=["ERA"], password=PASSWORD, actor="test")
    add_user(database, company="ERA TEST BILLING", email="biller@era.test", display_name="biller",
             roles=[Role.BILLER], practices=["ERA"], password=PASSWORD, actor="test")
    spec = importlib.util.spec_from_file_location("build_next_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    monkeypatch.setenv(TODAY_VARIABLE, datetime.date(2026, 11, 2).isoformat())
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_page_shows_the_changes_by_audience_and_links_the_pdf(client: TestClient) -> None:
    assert client.get("/reference/changes").status_code in (302, 303, 307)
    signed = sign_in(client, "desk@era.test")
    page = signed.get("/reference/changes")  # today is in 2026q4: 2026q3 to 2026q4 by default
    assert page.status_code == 200
    assert "Reference changes 2026q3 to 2026q4" in page.text
    assert "For coders" in page.text and "MUE for 17003: 13 -&gt; 12 units per day (down)" in page.text
    pdf = signed.get("/reference/changes.pdf?start=2026q3&end=2026q4")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = signed.get("/reference/changes?start=Q3&end=2026q4")
    assert bad.status_code == 200 and "is not one dermbill knows" in bad.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_pdf_for_a_period_it_cannot_read_is_refused_in_words(client: TestClient) -> None:
    answer = sign_in(client, "desk@era.test").get("/reference/changes.pdf?start=Q3&end=2026q4")
    assert answer.status_code == 422 and "is not one dermbill knows" in answer.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_page_shows_the_training_generated_from_the_changes_answers_behind_a_disclosure(
        client: TestClient) -> None:
    page = sign_in(client, "desk@era.test").get("/reference/changes?start=2026q3&end=2026q4")
    assert "Training: What changed 2026q3 to 2026q4: coders" in page.text
    assert "Training: What changed 2026q3 to 2026q4: front desk and billers" in page.text
    question = "may 11400 and 11102 be billed for the same patient on the same day without a modifier? (Yes / No)"
    assert question in page.text
    assert "<details><summary>Answer</summary><p>Yes. NCCI edit removed: 11400 and 11102" in page.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_biller_sees_the_fee_effect_at_their_practice_s_volume(client: TestClient) -> None:
    signed = sign_in(client, "biller@era.test")
    plain = signed.get("/reference/changes?start=2026q3&end=2026q4")
    assert '<option value="ERA">ERA ERA TEST DERMATOLOGY</option>' in plain.text
    assert "OTHER" not in plain.text  # another company's practice is not offered
    page = signed.get("/reference/changes?start=2026q3&end=2026q4&practice=ERA")
    assert page.status_code == 200
    assert "Reference changes 2026q3 to 2026q4 for practice ERA" in page.text
    # 11102 billed 2 units in the year; its fee is up $1.29: +$2.58 at the practice's volume.
    assert "11102: total RVU 2.96 -&gt; 3.00; fee +$1.29 per unit, +$2.58 at the practice&#39;s 2 units" in page.text
    assert "Fee effect at practice ERA&#39;s volume" in page.text and "+$2.58" in page.text
    assert "17311" not in page.text.split("Fee effect")[1]  # only the codes the practice billed
    pdf = signed.get("/reference/changes.pdf?start=2026q3&end=2026q4&practice=ERA")
    assert pdf.status_code == 200 and "reference-changes-2026q3-2026q4-ERA.pdf" in pdf.headers["content-disposition"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_practice_not_the_user_s_is_refused_in_words_and_so_is_a_role_that_does_not_view_claims(
        client: TestClient) -> None:
    biller = sign_in(client, "biller@era.test")
    other = biller.get("/reference/changes?start=2026q3&end=2026q4&practice=OTHER")
    assert "practice &#39;OTHER&#39; is not one of yours" in other.text and "For coders" not in other.text
    assert biller.get("/reference/changes.pdf?start=2026q3&end=2026q4&practice=OTHER").status_code == 422
    client.cookies.clear()
    desk = sign_in(client, "desk@era.test")
    plain = desk.get("/reference/changes")
    assert 'name="practice"' not in plain.text  # the front desk does not view claims: no practice view offered
    refused = desk.get("/reference/changes?practice=ERA")
    assert refused.status_code == 403 and "may not" in refused.text
    assert desk.get("/reference/changes.pdf?start=2026q3&end=2026q4&practice=ERA").status_code == 403
