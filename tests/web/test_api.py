"""The API as its clients use it: a token names the user; another practice's claim is 404; a role without the
permission is 403; no token is 401; every claim read is audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from era_world import add_claim, paid_claim, practice_world, remittance, settled, write
from fastapi.testclient import TestClient
from sqlalchemy import select

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

LINES = [("11102", (), 15000)]
PASSWORD = "correct horse battery staple 9"


@pytest.fixture
def api(database: Database, database_url_of: str) -> Iterator[tuple[TestClient, dict[str, str], list[str]]]:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    mine = [add_claim(ours, LINES).pcn for _ in range(3)]
    other = [add_claim(theirs, LINES).pcn for _ in range(4)][-1]  # ERA-4: a number only the other company has
    assert other not in mine
    tokens = {}
    for email, role in (("coder@era.test", "coder"), ("desk@era.test", "front_desk")):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
        tokens[role] = create_token(database, email, actor="test").token
    with TestClient(create_app(database_url_of), raise_server_exceptions=False) as client:
        yield client, tokens, [*mine, other]


@pytest.fixture
def database_url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_coder_of_one_practice_sees_only_its_claims_and_another_practices_claim_is_404(
        api: tuple[TestClient, dict[str, str], list[str]], database: Database) -> None:
    client, tokens, (*mine, other) = api

    listed = client.get("/api/v1/claims", headers=bearer(tokens["coder"]))
    one = client.get(f"/api/v1/claims/{mine[0]}", headers=bearer(tokens["coder"]))
    hidden = client.get(f"/api/v1/claims/{other}", headers=bearer(tokens["coder"]))

    assert listed.status_code == 200
    assert sorted(c["claim_number"] for c in listed.json()["claims"]) == sorted(mine)
    assert {c["practice"] for c in listed.json()["claims"]} == {"ERA"}
    assert one.status_code == 200 and one.json()["total_charge"] == "150.00"
    assert hidden.status_code == 404  # never 403: that would say the claim exists
    with UnitOfWork(database, actor="test") as uow:
        events = list(uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action.in_(["claim.read", "claim.list"]))))
        reads = [(e.actor, e.action, e.source) for e in events]
        addresses = {e.address for e in events}
    assert ("coder@era.test", "claim.read", "GET /api/v1/claims/{claim_number}") in reads
    assert addresses == {"testclient"}
    assert ("coder@era.test", "claim.list", "GET /api/v1/claims") in reads


def test_paging_walks_every_claim_once(api: tuple[TestClient, dict[str, str], list[str]]) -> None:
    client, tokens, (*mine, _) = api
    seen: list[str] = []
    after = None
    while True:
        page = client.get("/api/v1/claims", params={"limit": 2, **({"after": after} if after else {})},
                          headers=bearer(tokens["coder"])).json()
        seen += [c["claim_number"] for c in page["claims"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == mine[::-1]  # one date of service: the newest claim first


def test_no_token_a_bad_token_and_a_role_without_the_permission(
        api: tuple[TestClient, dict[str, str], list[str]]) -> None:
    client, tokens, _ = api

    assert client.get("/api/v1/claims").status_code == 401
    assert client.get("/api/v1/claims", headers=bearer("dbt_not-a-real-token")).status_code == 401
    refused = client.get("/api/v1/remittances", headers=bearer(tokens["front_desk"]))
    assert refused.status_code == 403 and "may not" in refused.json()["detail"]
    assert client.get("/api/v1/claims", params={"limit": 0}, headers=bearer(tokens["coder"])).status_code == 422


def test_a_biller_sees_the_remittances_of_its_practices_only(database: Database, database_url_of: str,
                                                             tmp_path: Path) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    claim = add_claim(ours, LINES)
    other = add_claim(theirs, LINES)
    paid = paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines))
    post_era_file(database, write(tmp_path / "ours.835", (remittance((paid,), trace="EFT-OURS"),)))
    theirs_paid = paid_claim(other, tuple(settled(line, 9000) for line in other.lines))
    their_file = write(tmp_path / "theirs.835", (remittance((theirs_paid,), trace="EFT-THEIRS"),))
    post_era_file(database, their_file, organization_id=_company_id(database, "OTHER BILLING CO"))
    add_user(database, company="ERA TEST BILLING", email="biller@era.test", display_name="B", roles=["biller"],
             practices=["ERA"], password=PASSWORD, actor="test")
    token = create_token(database, "biller@era.test", actor="test").token

    with TestClient(create_app(database_url_of), raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/remittances", headers=bearer(token))

    assert answer.status_code == 200
    assert [(r["trace"], r["practice"], r["payment"]) for r in answer.json()["remittances"]] == [
        ("EFT-OURS", "ERA", "90.00")]


def _company_id(database: Database, name: str) -> int:
    with UnitOfWork(database, actor="test") as uow:
        found = uow.find_organization(name)
        assert found is not None
        return found.id
