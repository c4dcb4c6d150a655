"""The users API: an administrator's token manages their own company's users; other roles are 403."""

from __future__ import annotations

from era_world import practice_world
from fastapi.testclient import TestClient

from dermbill.db.engine import Database
from dermbill.services.users import add_user, create_token, get_user
from dermbill.web.app import create_app

PASSWORD = "correct horse battery staple 9"


def test_an_administrator_adds_and_grants_users_of_their_company_by_api(database: Database) -> None:
    practice_world(database)
    practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    tokens = {}
    for email, company, role, practices in (("admin@era.test", "ERA TEST BILLING", "administrator", []),
                                            ("desk@era.test", "ERA TEST BILLING", "front_desk", ["ERA"]),
                                            ("coder@other.test", "OTHER BILLING CO", "coder", ["OTH"])):
        add_user(database, company=company, email=email, display_name=email, roles=[role], practices=practices,
                 password=PASSWORD, actor="test")
        tokens[email] = {"Authorization": f"Bearer {create_token(database, email, actor='test').token}"}
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        admin = tokens["admin@era.test"]
        listed = client.get("/api/v1/users", headers=admin).json()
        added = client.post("/api/v1/users", headers=admin,
                            json={"email": "New@Era.test", "roles": ["coder"], "practices": ["ERA"]})
        wrong = client.post("/api/v1/users", headers=admin,
                            json={"email": "x@era.test", "roles": ["wizard"], "practices": []})
        granted = client.put("/api/v1/users/new@era.test/access", headers=admin,
                             json={"roles": ["coder", "biller"], "practices": ["ERA"]})
        foreign = client.put("/api/v1/users/coder@other.test/access", headers=admin,
                             json={"roles": ["manager"], "practices": []})
        desk = client.get("/api/v1/users", headers=tokens["desk@era.test"])

    assert {u["email"] for u in listed} == {"admin@era.test", "desk@era.test"}
    assert added.status_code == 201 and added.json()["user"]["email"] == "new@era.test"
    assert len(added.json()["one_time_password"]) >= 12
    assert wrong.status_code == 422 and "wizard" in wrong.json()["detail"]
    assert granted.status_code == 200 and granted.json()["roles"] == ["biller", "coder"]
    assert foreign.status_code == 404 and {r.value for r in get_user(database, "coder@other.test").roles} == {"coder"}
    assert desk.status_code == 403
