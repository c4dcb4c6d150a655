"""A claim that went the whole way: coded from documentation, scrubbed (a warning kept), sent in an 837P, accepted by
a 999 and a 277CA, answered by an 835 (one line paid with the patient's coinsurance, one denied as bundled), and
put in the denial work queue. For the claim detail's tests (service and API)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from era_world import DOS, NOW, PAYER_ID, Claim, World, add_claim, clock, denied, paid_claim, remittance, settled, write

from dermbill.core.claim_form import Payer, Person
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import ClaimFindingRow, ClaimLineRow, ClaimRow, EncounterRow, SubmissionBatchRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.coding import code_document
from dermbill.services.denials import refresh_queue
from dermbill.services.era_posting import post_era_file
from dermbill.services.submission import export_837p
from dermbill.services.transmission import SyncReport, process_inbound_file
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.responses import (
    BatchAcknowledgment,
    ClaimAcknowledgment,
    GroupAcknowledgment,
    SetAcknowledgment,
    write_277ca,
    write_999,
)

TODAY = datetime.date(2026, 4, 10)
PAYER_CLAIM_NUMBER = "PCN-277-0001"
# An excision of a basal cell carcinoma (lesion A) and a punch biopsy of another lesion (B) the same day.
EXCISION_AND_BIOPSY = {
    "date_of_service": DOS.isoformat(), "payer": "medicare", "patient": {"age": 76, "sex": "F"}, "visit": None,
    "lesions": [
        {"id": "A", "site": "cheek", "laterality": "left", "diagnosis": "bcc", "pathology": "bcc",
         "diameter_cm": 0.8, "procedures": [{"type": "excision", "margin_cm": 0.4}]},
        {"id": "B", "site": "forearm", "laterality": "right", "diagnosis": "neoplasm_unspecified_behavior",
         "pathology": "seborrheic_keratosis", "diameter_cm": 0.5, "procedures": [{"type": "biopsy",
                                                                                   "technique": "punch"}]}],
    "services": [],
}
# The clearinghouse's side of the files it sends us: addressed to the era world's submitter ID.
CLEARINGHOUSE = ClearinghouseProfile("TESTCLEARING", "TEST CLEARINGHOUSE", "EDI", "2155550100", "TESTPRACTICE",
                                     "ERA TEST DERMATOLOGY")


@dataclass(frozen=True)
class Travelled:
    claim: Claim
    batch_file: str
    explanations: tuple[str, ...]  # the coding engine's, line by line


def travelled_claim(database: Database, world: World, folder: Path) -> Travelled:
    """The world's patient's claim for EXCISION_AND_BIOPSY, taken through submit, 999, 277CA, 835 and the queue."""
    with UnitOfWork(database, actor="test", clock=clock) as uow:
        uow.practice(world.practice_id).rows(EncounterRow)[0].documentation = EXCISION_AND_BIOPSY
        uow.commit()
    coded = code_document(EXCISION_AND_BIOPSY)
    claim = add_claim(world, [(line.code, line.modifiers, 20000 - 5000 * index)
                              for index, line in enumerate(coded.lines)], submit=False)
    with UnitOfWork(database, actor="test", clock=clock) as uow:
        repo = uow.practice(world.practice_id)
        row = repo.get(ClaimRow, claim.id)
        row.diagnosis_codes = list(coded.diagnoses)
        for line, result in zip(repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id,
                                          order_by=ClaimLineRow.line_number), coded.lines, strict=True):
            line.diagnosis_pointers = [coded.diagnoses.index(code) + 1 for code in result.diagnoses][:4]
        repo.add(ClaimFindingRow(claim_id=claim.id, rule="lcd-documentation", severity="warning", lines=[2],
                                 message="the biopsy's indication is not documented in words",
                                 fix="add the reason for the biopsy to the note", scrubbed_at=NOW))
        uow.commit()

    [exported] = export_837p(database, folder / "outbox", now=NOW, actor="test")
    with UnitOfWork(database, actor="test") as uow:
        batch = uow.session.get(SubmissionBatchRow, exported.batch_id)
        sent = uow.session.get(ClaimRow, claim.id)
        assert batch is not None and sent is not None and sent.transaction_set_control_number is not None
        group, st02 = batch.group_control_number, sent.transaction_set_control_number
    ack = folder / "999-accepted.x12"
    ack.write_text(write_999((GroupAcknowledgment(group, (SetAcknowledgment(st02, True),)),), CLEARINGHOUSE,
                             ControlNumbers(900, 900, 1), NOW))
    process_inbound_file(database, ack, "test", SyncReport(), now=NOW)
    answer = folder / "277CA-accepted.x12"
    answer.write_text(write_277ca((BatchAcknowledgment(
        "T277-1", Payer("TEST MEDICARE", PAYER_ID), "0001", DOS, "ERA TEST DERMATOLOGY", "1234567893",
        (ClaimAcknowledgment(claim.pcn, True, Person("DOE", "JANE"), "1EG4TE5MK72",
                             Money(sum(line.charge.cents for line in claim.lines)), DOS,
                             payer_claim_number=PAYER_CLAIM_NUMBER),)),), CLEARINGHOUSE,
        ControlNumbers(901, 901, 1), NOW))
    process_inbound_file(database, answer, "test", SyncReport(), now=NOW)

    first, second = claim.lines
    paid = paid_claim(claim, (settled(first, 12000, patient=(("2", 2400),)),
                              denied(second, "CO", "97", remarks=("M15",))), icn=PAYER_CLAIM_NUMBER)
    outcomes = post_era_file(database, write(folder / "835.x12", (remittance((paid,), trace="EFT-DETAIL"),)),
                             now=NOW)
    assert {o.status for o in outcomes} == {"posted"}
    refresh_queue(database, today=TODAY, actor="test")
    return Travelled(claim, exported.path.name, tuple(line.explanation for line in coded.lines))
