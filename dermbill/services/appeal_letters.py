"""The appeal letter of a work item, filled from the claim, the denial, the chart and the policy it relies on."""

from __future__ import annotations

import datetime

from dermbill.core.denials import Action, LesionFacts
from dermbill.core.money import Money
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    DenialItemRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    ProviderRow,
    RemittanceRow,
)
from dermbill.db.repositories import PracticeRepository
from dermbill.pdf.appeal_letter import (
    AppealedLine,
    AppealLetter,
    Letterhead,
    Underpaid,
    appeal_file_name,
    appeal_letter_pdf,
)
from dermbill.reference.denial_codes import denial_code_table
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.services.claim_facts import claim_facts
from dermbill.services.learned_rules import payer_tables_with_learned_rules


def appeal_letter_for(repo: PracticeRepository, item: DenialItemRow, today: datetime.date, *,
                      signer: str | None = None) -> tuple[AppealLetter, str, bytes]:
    """The letter, its file name and the PDF."""
    claim = repo.get(ClaimRow, item.claim_id)
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
    payers = {payer.id: payer for payer in repo.payers()}
    payer = payers.get(claim.payer_id or 0)
    patient = repo.get(PatientRow, claim.patient_id)
    coverage = repo.get(CoverageRow, claim.coverage_id) if claim.coverage_id else None
    provider = repo.get(ProviderRow, claim.rendering_provider_id)
    facts = claim_facts(repo, claim, lines, payer_tables_with_learned_rules(repo, scrub_tables()), payers)
    codes = denial_code_table()
    denial = _denial_label(item)
    meaning = (codes.carc(item.carc).description if item.carc else
               "allowed below the contracted amount")
    if item.rarcs:
        meaning += " " + " ".join(f"({code}: {codes.rarc(code).description.rstrip('.')})" for code in item.rarcs)
    underpaid = _underpaid(repo, item)
    appealed = tuple(AppealedLine(line.line_number, line.service_date_from, line.procedure_code,
                                  tuple(line.modifiers), line.units, Money(line.charge_cents), denial, meaning,
                                  underpaid)
                     for line in lines if line.id in item.line_ids)
    treated = {lesion for line in facts.lines if line.number in item.line_numbers for lesion in line.lesions}
    documentation = [lesion.describe() for lesion in facts.lesions if lesion.id in treated or not treated]
    if facts.visit_separately_identifiable:
        documentation.append("The visit note documents a significant, separately identifiable evaluation and "
                             "management service")
    practice = repo.practice
    name = f"{provider.first_name} {provider.last_name}" + (f", {provider.credential}" if provider.credential else "")
    remittance = repo.session.get(RemittanceRow, item.remittance_id) if item.remittance_id else None
    medicare = payer is not None and payer.kind == "medicare"
    letter = AppealLetter(
        letterhead=Letterhead(practice.legal_name, _address(practice.address_line1, practice.address_line2,
                                                            practice.city, practice.state, practice.zip_code),
                              practice.phone or "", practice.billing_npi, practice.tin),
        written_on=today, payer_name=payer.name if payer else "Payer",
        payer_address_lines=_payer_address(payer),
        title="Request for redetermination" if medicare else "Request for reconsideration",
        patient_name=f"{patient.last_name}, {patient.first_name}", patient_date_of_birth=patient.date_of_birth,
        member_id=coverage.member_id if coverage else "", claim_number=claim.patient_control_number,
        payer_claim_number=claim.payer_claim_number, rendering_provider=name, lines=appealed,
        summary=_summary(item, claim.patient_control_number, underpaid),
        documentation=tuple(documentation) or ("The visit note of the date of service is enclosed",),
        policies=tuple(dict.fromkeys([*item.relies_on, *facts.policies_for(item.codes)])),
        request=_request(item, underpaid),
        enclosures=tuple(_enclosures(item, facts.lesions, remittance)),
        signer=signer or name, deadline=item.deadline)
    return letter, appeal_file_name(letter, item.id), appeal_letter_pdf(letter)


def _underpaid(repo: PracticeRepository, item: DenialItemRow) -> Underpaid | None:
    """The contract, allowed and paid amounts of an underpaid line (from the adjudication the item was made of)."""
    if item.kind != "underpayment":
        return None
    adjudication_id = int(item.source_key.removeprefix("u:"))
    row = repo.get(LineAdjudicationRow, adjudication_id)
    allowed = Money(row.allowed_cents or 0)
    return Underpaid(allowed + Money(item.amount_cents), allowed, Money(row.paid_cents))


def _denial_label(item: DenialItemRow) -> str:
    if item.kind == "underpayment":
        return "Underpaid"
    return f"{item.group_code}-{item.carc}" + (f" / {', '.join(item.rarcs)}" if item.rarcs else "")


def _summary(item: DenialItemRow, claim: str, underpaid: Underpaid | None) -> str:
    if underpaid is not None:
        return (f"Claim {claim} was paid below our contracted rate: the contract sets ${underpaid.contracted} for "
                f"the line, you allowed ${underpaid.allowed} and paid ${underpaid.paid}. The allowed amount is "
                f"${underpaid.shortfall} short of the contract.")
    finding = item.cause.split(": ", 1)[-1]  # "CO-50/N115: what the chart shows: what to do" -> what it shows
    if ": " in finding:
        finding = finding.rsplit(": ", 1)[0]
    return (f"Claim {claim} was denied ({_denial_label(item)}). We believe the denial is in error: {finding}. "
            "The documentation below supports the service as billed.")


def _request(item: DenialItemRow, underpaid: Underpaid | None) -> str:
    if underpaid is not None:
        return (f"Please reprocess the line at the contracted amount of ${underpaid.contracted} and pay the "
                f"difference: the amount allowed was ${underpaid.shortfall} short of it.")
    if item.action == Action.APPEAL.value:
        return ("Please reverse the denial and pay the service lines listed above under the policy cited. The "
                "records enclosed show the service was medically necessary and billed as documented.")
    return "Please reconsider the denial of the service lines listed above and pay them as billed."


def _enclosures(item: DenialItemRow, lesions: tuple[LesionFacts, ...], remittance: RemittanceRow | None) -> list[str]:
    found = ["Visit and procedure note of the date of service"]
    if any(lesion.pathology and lesion.pathology != "pending" for lesion in lesions):
        found.append("Pathology report")
    if remittance is not None:
        found.append(f"Remittance advice of {remittance.payment_date or remittance.received_at.date()} "
                     f"(trace {remittance.trace_number})")
    if item.category == "timely_filing":
        found.append("Clearinghouse acceptance report (proof of timely filing)")
    return found


def _payer_address(payer: PayerRow | None) -> tuple[str, ...]:
    """Where the payer takes appeals, when the payer record says (else the letter names its appeals department)."""
    if payer is None or not (payer.appeal_address_line1 and payer.appeal_city and payer.appeal_state
                             and payer.appeal_zip_code):
        return ()
    return ("Appeals department", *_address(payer.appeal_address_line1, payer.appeal_address_line2,
                                            payer.appeal_city, payer.appeal_state, payer.appeal_zip_code))


def _address(line1: str, line2: str | None, city: str, state: str, zip_code: str) -> tuple[str, ...]:
    zip_text = f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code
    return tuple(x for x in (line1, line2, f"{city}, {state} {zip_text}") if x)



