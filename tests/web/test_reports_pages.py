"""The report pages (/reports, /reports/aging|kpis|denials, the exports and the claims behind a figure) over the
hand-built billing company of tests/report_world.py: a manager of practice P1 sees P1's figures and claims and
never P2's, the exports hold the tables' own numbers, the drill-down lists exactly the claims behind a figure or a
row (and is audited), wrong filters give a message, and roles without the reports get 403."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from report_world import ReportWorld, day
from sqlalchemy import select
from test_pages_auth import PASSWORD, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.core.money import Money
from dermbill.core.reports.export import table_rows, to_csv
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.reports import denial_report
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app

COMPANY = "REPORT TEST BILLING"
MARCH = "from=2026-03-01&to=2026-03-31&as_of=2026-03-31"
PERIOD = Period(day(3, 1), day(3, 31))


@dataclass
class Reports:
    client: TestClient
    world: ReportWorld
    numbers: dict[str, str]  # claim name in this test -> claim number shown

    def as_(self, who: str) -> TestClient:
        self.client.cookies.clear()
        return sign_in(self.client, f"{who}@report.test", PASSWORD)


def _claims_listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/claims/([^"]+)">', page))


@pytest.fixture
def reports(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Reports]:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-04-02")
    w = ReportWorld(database)
    # P1: three claims in March; two denied (bundling, eligibility), one paid off.
    a1 = w.claim("P1", dos=day(3, 2), payer="MCR", lines=[("11102", 15000)], submitted_on=day(3, 4))
    w.deny(a1, 1, 15000, on=day(3, 20))
    w.denial_item(a1, [1], on=day(3, 20), amount=15000, category="bundling", carc="97")
    a2 = w.claim("P1", dos=day(3, 3), payer="CIG", patient=2, lines=[("17110", 9000)], submitted_on=day(3, 5))
    w.pay(a2, 1, 6000, on=day(3, 25))
    w.adjust(a2, 1, 3000, on=day(3, 25))
    a3 = w.claim("P1", dos=day(3, 6), payer="MCR", patient=3, lines=[("11102", 20000)], submitted_on=day(3, 8))
    w.deny(a3, 1, 20000, on=day(3, 22))
    w.denial_item(a3, [1], on=day(3, 22), amount=20000, category="eligibility", carc="27", group="CO",
                  codes=["11102"])
    # P2: one large denied claim that a P1 user must never see.
    b1 = w.claim("P2", dos=day(3, 2), payer="MCR", lines=[("11102", 77700)], submitted_on=day(3, 4))
    w.deny(b1, 1, 77700, on=day(3, 21))
    w.denial_item(b1, [1], on=day(3, 21), amount=77700, category="bundling", carc="97")
    set_company_totp(database, COMPANY, required=False, actor="test")
    for who, role, practices in (("manager-p1", Role.MANAGER, ["P1"]), ("manager", Role.MANAGER, ["P1", "P2"]),
                                 ("desk", Role.FRONT_DESK, ["P1"]), ("biller", Role.BILLER, ["P1"])):
        add_user(database, company=COMPANY, email=f"{who}@report.test", display_name=who, roles=[role],
                 practices=practices, password=PASSWORD, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        yield Reports(client, w, {"a1": "P1-C1", "a2": "P1-C2", "a3": "P1-C3", "b1": "P2-C1"})


def test_a_practice_manager_sees_only_their_practice_figures_and_claims(reports: Reports) -> None:
    client = reports.as_("manager-p1")
    page = client.get(f"/reports?{MARCH}")
    assert page.status_code == 200, page.text
    text = unescape(page.text)
    assert "$440.00" in text  # charges: 150 + 90 + 200 in P1
    assert "$350.00" in text  # denied dollars in P1
    assert "$777.00" not in text and "$1,217.00" not in text
    # The practice code as a word: a random CSRF token (URL-safe base64) may hold the letters "P2".
    assert not re.search(r"(?<![A-Za-z0-9_-])P2(?![A-Za-z0-9_-])", text)
    assert '<a href="/reports"' in text  # the navigation's Reports link
    for path in ("/reports/aging", "/reports/kpis", "/reports/denials"):
        shown = client.get(f"{path}?{MARCH}")
        assert shown.status_code == 200, (path, shown.text[-500:])
        assert "$777.00" not in shown.text and "REPORT TEST DERMATOLOGY 2" not in shown.text, path
    refused = client.get(f"/reports?practice=P2&{MARCH}")
    assert refused.status_code == 422 and "practice &#39;P2&#39; is not one of yours" in refused.text
    listed = client.get(f"/reports/claims?report=denials&{MARCH}")
    assert _claims_listed(listed.text) == {"P1-C1", "P1-C3"}
    # A forged row naming the other practice or its payer's balances finds nothing outside P1.
    p2 = reports.world.practices["P2"]
    forged = client.get(f"/reports/claims?report=ar&by_practice={p2}&{MARCH}")
    assert forged.status_code == 200 and _claims_listed(forged.text) == set()
    everything = reports.as_("manager")
    both = unescape(everything.get(f"/reports?{MARCH}").text)
    assert "$1,217.00" in both  # charges of both practices
    assert _claims_listed(everything.get(f"/reports/claims?report=denials&{MARCH}").text) == {
        "P1-C1", "P1-C3", "P2-C1"}
    assert _claims_listed(everything.get(f"/reports/claims?report=denials&practice=P2&{MARCH}").text) == {"P2-C1"}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_drill_down_lists_exactly_the_claims_behind_a_figure_or_row_and_is_audited(
        reports: Reports, database: Database) -> None:
    client = reports.as_("manager-p1")
    dashboard = unescape(client.get(f"/reports?{MARCH}").text)
    # The "Denials" figure (2 in P1) links to its claims.
    links = {label: href for href, label in re.findall(
        r'<a href="(/reports/claims\?[^"]+)">Claims behind it<span class="visually-hidden">: ([^<]+)</span>',
        dashboard)}
    assert _claims_listed(client.get(links["Denials"]).text) == {"P1-C1", "P1-C3"}
    assert _claims_listed(client.get(links["Charges"]).text) == {"P1-C1", "P1-C2", "P1-C3"}
    assert _claims_listed(client.get(links["Payments"]).text) == {"P1-C2"}
    # A row of the denial report: the bundling denials are a1 only.
    denials = unescape(client.get(f"/reports/denials?{MARCH}").text)
    bundling = re.search(r'<th scope="row">Bundling[^<]*</th>.*?<a href="(/reports/claims\?[^"]+)">', denials, re.S)
    assert bundling, "the bundling row links to its claims"
    assert _claims_listed(client.get(bundling.group(1)).text) == {"P1-C1"}
    # The aging summary's insurance row: the claims with an insurance or denied balance (a2 is paid off).
    aging = unescape(client.get(f"/reports/aging?{MARCH}").text)
    insurance = re.search(r'<th scope="row">Insurance</th>.*?<a href="(/reports/claims\?[^"]+)">', aging, re.S)
    assert insurance and _claims_listed(client.get(insurance.group(1)).text) == {"P1-C1", "P1-C3"}
    with UnitOfWork(database, actor="test") as uow:
        details = uow.session.scalars(select(AuditEventRow.detail).where(
            AuditEventRow.action == "claim.list", AuditEventRow.actor == "manager-p1@report.test")).all()
    assert details and all(d.get("report") for d in details)
    assert {"P1-C1", "P1-C3"} <= {number for d in details for number in d["claims"]}
    unknown = client.get(f"/reports/claims?report=nonsense&{MARCH}")
    assert unknown.status_code == 422 and "there is no list of claims behind" in unknown.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_exports_hold_the_tables_numbers_with_the_filters(reports: Reports, database: Database) -> None:
    client = reports.as_("manager-p1")
    f = ReportFilter.of({reports.world.practices["P1"]}, day(3, 31), PERIOD)
    table = denial_report(database, f).table("denials_by_cause")
    answer = client.get(f"/reports/denials/denials_by_cause.csv?{MARCH}")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.text == to_csv(table_rows(table))
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0][0] == "Root cause" and {r[0] for r in rows[1:]} >= {"Total"}
    book = client.get(f"/reports/denials/denials_by_cause.xlsx?{MARCH}")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[:2] for r in values[:7]] == [
        [table.title, None], ["Report", "Denials and recoveries, March 2026"],
        ["Practice", "all of yours: P1"], ["Payer", "all"], ["Provider", "all"],
        ["Period", "2026-03-01 to 2026-03-31"], ["As of", "2026-03-31"]]
    assert sheet.cell(row=1, column=1).font.bold
    header = next(i for i, r in enumerate(values) if r[0] == "Root cause")
    assert sheet.cell(row=header + 1, column=1).font.bold
    denied = table.column("denied")
    for offset, row in enumerate((*table.rows, table.total), start=header + 2):
        cell = sheet.cell(row=offset, column=denied + 1)
        money = row.cells[denied]
        assert isinstance(money, Money)
        assert Decimal(str(cell.value)) == money.to_decimal() and cell.number_format == '"$"#,##0.00'
    assert client.get(f"/reports/denials/no_such_table.csv?{MARCH}").status_code == 404
    # Every table a page shows can be downloaded (the export routes are spelled out one by one).
    for path in ("/reports/aging", "/reports/kpis", "/reports/denials"):
        hrefs = re.findall(r'href="(/reports/[a-z]+/[a-z_]+\.csv[^"]*)"', unescape(client.get(f"{path}?{MARCH}").text))
        assert hrefs, path
        for href in hrefs:
            assert client.get(href).status_code == 200, href
    figures = client.get(f"/reports/kpis/figures.csv?{MARCH}")
    assert figures.status_code == 200 and "charges,Charges,money,440.00" in figures.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_wrong_filters_say_what_is_wrong_and_other_roles_get_no_reports(reports: Reports) -> None:
    client = reports.as_("manager-p1")
    for query, words in (("from=2026-13-01&to=2026-03-31", "from: &#39;2026-13-01&#39; is not a date"),
                         ("from=2026-03-01", "give both the first and the last day"),
                         ("from=2026-03-31&to=2026-03-01", "the period ends (2026-03-01) before it starts"),
                         ("payer=NOPE", "no payer with the ID &#39;NOPE&#39;"),
                         ("provider=999", "no provider with the NPI &#39;999&#39;")):
        page = client.get(f"/reports/kpis?{query}")
        assert page.status_code == 422 and words in page.text and "Traceback" not in page.text, query
    for who in ("desk", "biller"):
        other = reports.as_(who)
        assert other.get(f"/reports?{MARCH}").status_code == 403
        assert other.get(f"/reports/claims?report=denials&{MARCH}").status_code == 403
        assert other.get(f"/reports/denials/denials_by_cause.csv?{MARCH}").status_code == 403
        assert '<a href="/reports"' not in other.get("/dashboard").text
