"""The work queues within a user's practices: another practice's item is not found (and left as it was), every
read of an item is audited, and the CLI (no practices given) still sees every practice's; the audit log is read
within the reader's billing company, searched and exported alike."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from queue_world import TODAY, QueueWorld, queue_world
from sqlalchemy import select

from dermbill.core.denials import Urgency
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, DenialItemRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.audit_log import (
    CSV_COLUMNS,
    AuditScope,
    AuditSearch,
    audit_csv,
    export_audit_log,
    search_audit_log,
)
from dermbill.services.denials import (
    assign_item,
    correct_claim,
    list_items,
    mark_appeal_sent,
    note_item,
    preview_appeal,
    resolve_item,
    show_item,
    snooze_item,
)
from dermbill.services.fix_queue import rejected_claim, rejected_claims
from dermbill.services.transmission import fix_queue


@pytest.fixture
def world(database: Database, tmp_path: Path) -> QueueWorld:
    return queue_world(database, tmp_path)


def events(database: Database, action: str) -> list[AuditEventRow]:
    with UnitOfWork(database, actor="test") as uow:
        rows = list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)
                                        .order_by(AuditEventRow.sequence)))
        uow.session.expunge_all()
        return rows


def test_a_users_queue_holds_their_practices_items_and_the_cli_sees_every_practice(world: QueueWorld) -> None:
    database, mine = world.database, {world.practice_id}

    scoped = list_items(database, today=TODAY, practice_ids=mine, actor="pat@era.test")
    everyone = list_items(database, today=TODAY)

    assert {item.id for item in scoped} == set(world.items.values())
    assert {item.practice for item in scoped} == {"ERA"}
    assert {item.id for item in everyone} == {*world.items.values(), world.other_item}
    assert list_items(database, today=TODAY, practice_ids=set()) == []
    assert list_items(database, today=TODAY, practice_ids=mine, practice="OTH") == []
    [listed] = [e for e in events(database, "denial.list") if e.actor == "pat@era.test"]
    assert (listed.practice_id, sorted(listed.detail["items"])) == (world.practice_id, sorted(world.items.values()))


def test_the_queue_filters_by_urgency_on_the_day(world: QueueWorld) -> None:
    database, mine = world.database, {world.practice_id}
    items = list_items(database, today=TODAY, practice_ids=mine)
    dated = {item.id: item.deadline for item in items if item.deadline}
    assert [i.id for i in list_items(database, today=TODAY, urgent=Urgency.NO_DEADLINE, practice_ids=mine)] == [
        world.items["write_off"]]  # a write-off waits on no payer
    day_after_last = max(dated.values()) + datetime.timedelta(days=1)
    overdue = list_items(database, today=day_after_last, urgent=Urgency.OVERDUE, practice_ids=mine)
    assert {item.id for item in overdue} == set(dated)
    soon = list_items(database, today=TODAY, urgent=Urgency.DUE_SOON, practice_ids=mine)
    later = list_items(database, today=TODAY, urgent=Urgency.LATER, practice_ids=mine)
    assert not {i.id for i in soon} & {i.id for i in later}
    assert {i.id for i in soon} | {i.id for i in later} == set(dated)
    assert all((day - TODAY).days > 30 for id_, day in dated.items() if id_ in {i.id for i in later})


def test_another_practices_item_is_not_found_by_any_action_and_is_left_as_it_was(world: QueueWorld,
                                                                                  tmp_path: Path) -> None:
    database, mine, other = world.database, {world.practice_id}, world.other_item
    attempts: list[Callable[[], object]] = [
        lambda: show_item(database, other, practice_ids=mine),
        lambda: assign_item(database, other, "pat", actor="pat", practice_ids=mine),
        lambda: note_item(database, other, "a note", actor="pat", practice_ids=mine),
        lambda: snooze_item(database, other, TODAY + datetime.timedelta(days=2), actor="pat", today=TODAY,
                            practice_ids=mine),
        lambda: resolve_item(database, other, "write_off", actor="pat", today=TODAY, practice_ids=mine),
        lambda: correct_claim(database, other, actor="pat", today=TODAY, practice_ids=mine),
        lambda: preview_appeal(database, other, actor="pat", today=TODAY, practice_ids=mine),
        lambda: mark_appeal_sent(database, other, actor="pat", today=TODAY, practice_ids=mine, record_letter=True),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound, match=f"work item {other} not found among your practices"):
            attempt()
    with UnitOfWork(database, actor="test") as uow:
        row = uow.session.get(DenialItemRow, other)
        assert row is not None and (row.status, row.assigned_to) == ("open", None)
        touched = uow.session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.entity_type == "denial_item", AuditEventRow.entity_id == other)).all()
    assert list(touched) == ["denial.created"]
    assert show_item(database, other).item.practice == "OTH"  # the CLI: every practice


def test_reads_of_an_item_are_audited_but_are_not_its_history(world: QueueWorld) -> None:
    database, item = world.database, world.items["review"]
    note_item(database, item, "called the payer", actor="pat", practice_ids={world.practice_id})
    show_item(database, item, practice_ids={world.practice_id}, actor="pat")
    detail = show_item(database, item, practice_ids={world.practice_id}, actor="lee")
    preview_appeal(database, item, actor="lee", today=TODAY, practice_ids={world.practice_id})

    assert [what for _, _, what, _ in detail.history] == ["denial.created", "denial.noted"]
    reads = [(e.actor, e.entity_id, e.practice_id) for e in events(database, "denial.read")]
    assert reads == [("pat", item, world.practice_id), ("lee", item, world.practice_id)]
    assert [e.actor for e in events(database, "denial.appeal_previewed")] == ["lee"]


def test_the_appeal_letter_downloaded_is_recorded_when_it_is_marked_sent(world: QueueWorld) -> None:
    database, item = world.database, world.items["review"]
    preview = preview_appeal(database, item, actor="lee", today=TODAY, practice_ids={world.practice_id})
    assert preview.pdf.startswith(b"%PDF") and preview.file_name.endswith(".pdf")
    assert world.claims["review"] in preview.text and "DOE, JANE" in preview.text
    assert preview.letter.title in preview.text and "Total appealed: $150.00" in preview.text

    mark_appeal_sent(database, item, actor="lee", today=TODAY, practice_ids={world.practice_id},
                     record_letter=True)

    detail = show_item(database, item)
    assert detail.item.status == "waiting"
    assert [(name, status) for name, status, _ in detail.appeals] == [(preview.file_name, "sent")]
    assert [what for _, _, what, _ in detail.history][-2:] == ["denial.appeal_written", "denial.appeal_sent"]


def test_the_fix_queue_of_a_user_holds_their_practices_rejected_claims(world: QueueWorld) -> None:
    database, mine = world.database, {world.practice_id}
    scoped = rejected_claims(database, mine, actor="pat")
    assert [(c.practice, c.claim, c.field, c.message) for c in scoped] == [
        ("ERA", world.rejected, "member ID", "SUBSCRIBER NOT FOUND")]
    assert {c["practice"] for c in fix_queue(database)} == {"ERA", "OTH"}  # the CLI: every practice

    detail = rejected_claim(database, world.rejected, mine, actor="pat")
    assert (detail.patient, detail.member_id, detail.total_charge.cents) == ("DOE, JANE", "1EG4TE5MK72", 15000)
    assert [line.code for line in detail.lines] == ["11102"]
    # Their rejected claim's number is also one of our claims (not rejected): not in our queue either way.
    with pytest.raises(NotFound):
        rejected_claim(database, world.other_rejected, mine, actor="pat")
    [listed] = [e for e in events(database, "fix_queue.list") if e.actor == "pat"]
    assert (listed.practice_id, listed.detail) == (world.practice_id, {"claims": [world.rejected]})
    [read] = events(database, "fix_queue.read")
    assert (read.actor, read.practice_id, read.detail) == ("pat", world.practice_id, {"claim": world.rejected})


def scope_of(world: QueueWorld) -> AuditScope:
    return AuditScope(world.organization_id, frozenset({world.practice_id}))


def test_the_audit_log_is_read_within_the_readers_company(world: QueueWorld) -> None:
    database = world.database
    found = search_audit_log(database, AuditSearch(), scope_of(world), actor="audrey", limit=500).entries
    assert found and [e.sequence for e in found] == sorted((e.sequence for e in found), reverse=True)
    assert {e.practice_id for e in found} <= {world.practice_id, None}
    assert all(e.organization_id == world.organization_id for e in found if e.practice_id is None)
    assert world.other_item not in {e.entity_id for e in found if e.entity_type == "denial_item"}
    with UnitOfWork(database, actor="test") as uow:
        theirs = set(uow.session.scalars(select(AuditEventRow.sequence).where(
            AuditEventRow.practice_id == world.other_practice_id)))
    assert theirs and not theirs & {e.sequence for e in found}
    [read] = events(database, "audit.read")
    assert (read.actor, read.organization_id, read.practice_id) == ("audrey", world.organization_id, None)


def test_the_audit_log_search_filters_and_pages(world: QueueWorld) -> None:
    database, scope = world.database, scope_of(world)
    item = world.items["authorization"]
    assign_item(database, item, "pat", actor="lee", practice_ids={world.practice_id})
    note_item(database, item, "Asked for a RETRO authorization", actor="Pat@ERA.test")

    def search(**fields: Any) -> list[tuple[str, str, int | None]]:
        entries = search_audit_log(database, AuditSearch(**fields), scope, actor="audrey", limit=500).entries
        return [(e.actor, e.action, e.entity_id) for e in entries if not e.action.startswith("audit.")]

    assert search(actor="pat@era.test") == [("Pat@ERA.test", "denial.noted", item)]
    assert search(action="denial", entity_id=item) == [("Pat@ERA.test", "denial.noted", item),
                                                        ("lee", "denial.assigned", item),
                                                        ("denials", "denial.created", item)]
    assert search(action="denial.assigned") == [("lee", "denial.assigned", item)]
    assert search(text="retro AUTH") == [("Pat@ERA.test", "denial.noted", item)]
    assert search(text="%") == []  # a wildcard is only a character
    about = search(claim=world.claims["authorization"])
    assert ("denials", "denial.created", item) in about and ("lee", "denial.assigned", item) in about
    assert not {entity for _, action, entity in about if action.startswith("denial.")} - {item}
    assert search(since=TODAY + datetime.timedelta(days=800)) == []
    everything = search()
    assert search(since=datetime.date(2000, 1, 1), until=datetime.date(2100, 1, 1)) == everything
    with pytest.raises(InvalidInput, match="until"):
        search_audit_log(database, AuditSearch(since=TODAY, until=TODAY - datetime.timedelta(days=1)), scope,
                         actor="audrey")

    pages, before = [], None
    while True:
        page = search_audit_log(database, AuditSearch(action="denial"), scope, actor="audrey", limit=2,
                                before=before)
        pages.append([e.sequence for e in page.entries])
        before = page.next_before
        if before is None:
            break
    walked = [sequence for page_ in pages for sequence in page_]
    assert len(pages) > 1 and all(len(p) <= 2 for p in pages)
    whole = search_audit_log(database, AuditSearch(action="denial"), scope, actor="audrey", limit=500).entries
    assert walked == [e.sequence for e in whole]


def test_the_csv_export_streams_what_the_search_finds(world: QueueWorld) -> None:
    database, scope = world.database, scope_of(world)
    note_item(database, world.items["review"], '=HYPERLINK("x"), with "quotes", commas\nand a new line',
              actor="-pat")
    search = AuditSearch(action="denial")
    found = search_audit_log(database, search, scope, actor="audrey", limit=500).entries

    text = "".join(audit_csv(export_audit_log(database, search, scope, actor="audrey", batch=3)))

    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [int(r["sequence"]) for r in rows] == [e.sequence for e in found]
    for row, entry in zip(rows, found, strict=True):
        assert json.loads(row["detail"]) == entry.detail
        assert (row["action"], row["entity"], row["entity_id"]) == (entry.action, entry.entity_type,
                                                                     str(entry.entity_id or ""))
        assert datetime.datetime.fromisoformat(row["time"]) == entry.occurred_at
    noted = next(r for r in rows if r["action"] == "denial.noted")
    assert noted["actor"] == "'-pat"  # not a formula in a spreadsheet
    assert json.loads(noted["detail"])["note"].startswith('=HYPERLINK("x")')
    [export] = events(database, "audit.export")
    assert (export.actor, export.detail) == ("audrey", {"search": {"action": "denial"}})
