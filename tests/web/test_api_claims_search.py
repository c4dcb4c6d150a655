"""The claims list's filters, the claim board and the dashboard through the API: scoped to the caller's
practices, a bad filter is 422 naming the field and what to do, the board is not taken for a claim number."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from claim_world import COMPANY, TODAY, World, add_work, claim_world
from fastapi.testclient import TestClient

from dermbill.clock import TODAY_VARIABLE
from dermbill.db.engine import Database
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

PASSWORD = "correct horse battery staple 9"
Api = tuple[TestClient, dict[str, str], World]


@pytest.fixture
def api(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv(TODAY_VARIABLE, TODAY.isoformat())
    world = claim_world(database)
    add_work(world)
    tokens = {}
    for role in ("coder", "biller", "front_desk", "manager"):
        email = f"{role}@era.test"
        add_user(database, company=COMPANY, email=email, display_name=email, roles=[role], practices=["ERA"],
                 password=PASSWORD, actor="test")
        tokens[role] = create_token(database, email, actor="test").token
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        yield client, tokens, world


def get(api: Api, path: str, role: str = "coder", **params: str | int) -> dict[str, object]:
    client, tokens, _ = api
    answer = client.get(path, params=params, headers={"Authorization": f"Bearer {tokens[role]}"})
    body: dict[str, object] = answer.json()
    body["status_code"] = answer.status_code
    return body


def test_filters_through_the_api(api: Api) -> None:
    _, _, world = api
    found = get(api, "/api/v1/claims", q="smith", date_from="2026-01-19", date_to="2026-03-01", limit=200)
    claims = found["claims"]
    assert isinstance(claims, list) and claims
    wanted = sorted((c for c in world.of("ERA") if c.patient.upper().startswith("SMITH")
                     and "2026-01-19" <= c.date_of_service.isoformat() <= "2026-03-01"),
                    key=lambda c: (c.date_of_service, c.id), reverse=True)
    assert [c["claim_number"] for c in claims] == [c.number for c in wanted]
    assert claims[0].keys() == {"claim_number", "practice", "status", "patient", "payer", "date_of_service",
                                "total_charge"}
    assert found["next_after"] is None


def test_pages_through_the_api_carry_the_filters(api: Api) -> None:
    _, _, world = api
    seen: list[str] = []
    after: str | None = None
    while True:
        page = get(api, "/api/v1/claims", status="ready,submitted", limit=3, **({"after": after} if after else {}))
        seen += [c["claim_number"] for c in page["claims"]]  # type: ignore[attr-defined]
        after = page["next_after"]  # type: ignore[assignment]
        if after is None:
            break
    mine = [c for c in world.of("ERA") if c.status in ("ready", "submitted")]
    assert sorted(seen) == sorted(c.number for c in mine) and len(seen) == len(set(seen))


@pytest.mark.parametrize(("params", "field", "says"), [
    ({"date_from": "2026-02-30"}, "date_from", "'2026-02-30' is not a date; write it as YYYY-MM-DD"),
    ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to",
     "2026-03-01 is before date_from 2026-03-02; give a date_to on or after date_from"),
    ({"status": "lost"}, "status", "'lost' is not a claim state; use one of draft"),
    ({"practice": "OTH"}, "practice", "'OTH' is not one of your practices; use one of: ERA"),
    ({"after": "ERA0001"}, "after", "is not a page cursor; pass the next_after value"),
])
def test_a_bad_filter_is_422_naming_the_field_and_what_to_do(api: Api, params: dict[str, str], field: str,
                                                            says: str) -> None:
    answer = get(api, "/api/v1/claims", **params)
    assert answer["status_code"] == 422
    assert answer["detail"] == "the request is not valid"
    [problem] = answer["problems"]  # type: ignore[misc]
    assert problem["field"] == field and says in problem["message"]


def test_the_board_counts_the_callers_practices_only(api: Api) -> None:
    _, _, world = api
    board = get(api, "/api/v1/claims/board")
    assert board["status_code"] == 200
    columns = {c["status"]: (c["claims"], c["total_charge"]) for c in board["columns"]}  # type: ignore[attr-defined]
    ready = [c for c in world.of("ERA") if c.status == "ready"]
    assert columns["ready"] == (len(ready), f"{sum(c.charge_cents for c in ready) / 100:.2f}")
    assert board["claims"] == 24 and columns["held"] == (0, "0.00")
    assert get(api, "/api/v1/claims/board", role="front_desk")["status_code"] == 403


def test_the_dashboard_shows_the_queues_of_the_callers_roles(api: Api) -> None:
    managed = get(api, "/api/v1/dashboard", role="manager")
    assert managed["status_code"] == 200 and managed["date"] == TODAY.isoformat()
    queues = {q["queue"]: q for q in managed["queues"]}  # type: ignore[attr-defined]
    assert list(queues) == ["ready_to_send", "scrub_errors", "rejected", "denials", "unmatched_payments",
                            "overpayments"]
    assert queues["unmatched_payments"]["count"] == 2 and queues["unmatched_payments"]["amount"] == "60.00"
    assert queues["denials"]["by_urgency"]["overdue"] == {"count": 1, "amount": "11.00"}
    assert queues["ready_to_send"]["by_urgency"] is None
    coded = get(api, "/api/v1/dashboard", role="coder")
    assert [q["queue"] for q in coded["queues"]] == ["scrub_errors"]  # type: ignore[attr-defined]
    assert get(api, "/api/v1/dashboard", role="front_desk")["queues"] == []
    assert get(api, "/api/v1/dashboard")["practices"] == ["ERA"]


def test_a_claim_number_still_answers_beside_the_board(api: Api) -> None:
    assert get(api, "/api/v1/claims/ERA0003")["claim_number"] == "ERA0003"
    assert get(api, "/api/v1/claims/OTH0003")["status_code"] == 404
