"""What a person may change on a claim before the payer adjudicates it, and the checks each change must pass.

A line edit names the fields it changes; every field is checked and every problem reported at once, each naming
the line and the field, so nothing is saved half-way. Example: line 2 of a claim with two diagnoses, changed to
``units=0, diagnosis_pointers=[3]``, is refused with "line 2: units must be a whole number from 1 to 999 (got 0)"
and "line 2: diagnosis pointer 3 points at no diagnosis (the claim has 2)".

Which states allow which change (``core.claims`` has the lifecycle):

- lines are edited while the claim has not gone to the payer, or came back rejected unread: draft, coded, held,
  scrub_errors, ready, rejected, corrected (a replacement being prepared);
- once the payer adjudicated it (paid, partially paid, denied) a change goes out as a corrected claim (CLM05-3
  frequency 7) or the claim is voided (frequency 8), each carrying the payer's claim number (REF*F8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from dermbill.core.claims import ADJUDICATED, ClaimStatus
from dermbill.core.errors import InvalidFields, InvalidInput, InvalidTransition, Problem
from dermbill.core.money import Money

S = ClaimStatus
EDITABLE = frozenset({S.DRAFT, S.CODED, S.HELD, S.SCRUB_ERRORS, S.READY, S.REJECTED, S.CORRECTED})
MAX_UNITS = 999  # more on one professional line is a keying slip (the MUE edits judge the real limits)
MAX_POINTERS = 4  # 837P SV107: up to four diagnosis code pointers
MAX_MODIFIERS = 4  # 837P SV101-3..6
MAX_CHARGE = Money(99_999_999)  # $999,999.99: SV102 allows more, no dermatology line comes near it
# CPT Category I (five digits), Category II and III (four digits and F or T), HCPCS Level II (letter, four digits).
_PROCEDURE_CODE = re.compile(r"[0-9]{5}|[0-9]{4}[FTU]|[A-V][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
FREQUENCIES = {"7": "replacement", "8": "void"}


@dataclass(frozen=True, slots=True)
class LineValues:
    """What a service line says (837P loop 2400)."""

    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    diagnosis_pointers: tuple[int, ...]
    charge: Money

    def shown(self) -> dict[str, object]:
        """The values as the audit trail and the API show them."""
        return {"procedure_code": self.procedure_code, "modifiers": list(self.modifiers), "units": self.units,
                "diagnosis_pointers": list(self.diagnosis_pointers), "charge": self.charge.plain()}


@dataclass(frozen=True, slots=True)
class LineChange:
    """The fields a person changes on a line; None leaves a field as it is. Units and pointers may be the text a
    form sent ("2"): it is read here, and text that is not a number is reported like any other bad value."""

    procedure_code: str | None = None
    modifiers: tuple[str, ...] | None = None
    units: int | str | None = None
    diagnosis_pointers: tuple[int | str, ...] | None = None
    charge: Decimal | str | None = None

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in (self.procedure_code, self.modifiers, self.units,
                                               self.diagnosis_pointers, self.charge))


def edited_line(claim: str, line_number: int, current: LineValues, change: LineChange, *,
                diagnoses: int, charge_fixed_by: str | None = None) -> LineValues:
    """The line with ``change`` applied, or InvalidFields listing every problem (each names the line and field).

    ``diagnoses`` is how many diagnoses the claim has (pointers point at them, 1-based); ``charge_fixed_by`` says
    why the line's charge cannot change here (it bills again a charge made on another claim), if it cannot."""
    where = f"line {line_number}"
    if change.is_empty:
        raise InvalidFields(f"claim {claim} {where} was not changed", (Problem(
            "body", "name at least one field to change: procedure_code, modifiers, units, diagnosis_pointers, "
            "charge"),))
    problems: list[Problem] = []
    values = current
    if change.procedure_code is not None:
        code = change.procedure_code.strip().upper()
        if not _PROCEDURE_CODE.fullmatch(code):
            problems.append(Problem("procedure_code", f"{where}: '{_cut(change.procedure_code)}' is not a procedure "
                                    "code (five characters: a CPT code such as 11102, or a HCPCS code such as "
                                    "J3301)"))
        values = replace(values, procedure_code=code)
    if change.modifiers is not None:
        modifiers = tuple(m.strip().upper() for m in change.modifiers)
        bad = [m for m in modifiers if not _MODIFIER.fullmatch(m)]
        if bad:
            problems.append(Problem("modifiers", f"{where}: {', '.join(repr(_cut(m)) for m in bad)} "
                                    f"{'is not a modifier' if len(bad) == 1 else 'are not modifiers'} (two letters "
                                    "or digits, e.g. 25, 59, XS, RT)"))
        if len(modifiers) > MAX_MODIFIERS:
            problems.append(Problem("modifiers", f"{where}: {len(modifiers)} modifiers; a line carries at most "
                                    f"{MAX_MODIFIERS}"))
        repeated = sorted({m for m in modifiers if modifiers.count(m) > 1})
        if repeated:
            problems.append(Problem("modifiers", f"{where}: modifier {', '.join(repeated)} appears twice"))
        values = replace(values, modifiers=modifiers)
    if change.units is not None:
        units = _whole(change.units)
        if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
            problems.append(Problem("units", f"{where}: units must be a whole number from 1 to {MAX_UNITS} "
                                    f"(got {_cut(units) if isinstance(units, str) else units!r})"))
        else:
            values = replace(values, units=units)
    if change.diagnosis_pointers is not None:
        pointers = tuple(_whole(p) for p in change.diagnosis_pointers)
        problems += _pointer_problems(where, pointers, diagnoses)
        values = replace(values, diagnosis_pointers=tuple(p for p in pointers if isinstance(p, int)))
    if change.charge is not None:
        charge = _charge(where, change.charge, problems)
        if charge is not None and charge != current.charge and charge_fixed_by is not None:
            problems.append(Problem("charge", f"{where}: {charge_fixed_by}"))
        elif charge is not None:
            values = replace(values, charge=charge)
    if problems:
        raise InvalidFields(f"claim {claim} {where} was not changed", tuple(problems))
    return values


def _whole(value: object) -> object:
    """Text of digits as the number it spells (a form's field); anything else as it is."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 6:
        return int(value.strip())
    return value


def _pointer_problems(where: str, pointers: tuple[object, ...], diagnoses: int) -> list[Problem]:
    problems = []
    if not 1 <= len(pointers) <= MAX_POINTERS:
        problems.append(Problem("diagnosis_pointers", f"{where}: give 1 to {MAX_POINTERS} diagnosis pointers "
                                f"(got {len(pointers)})"))
    for pointer in pointers:
        if isinstance(pointer, bool) or not isinstance(pointer, int) or not 1 <= pointer <= diagnoses:
            shown = repr(_cut(pointer) if isinstance(pointer, str) else pointer)
            problems.append(Problem("diagnosis_pointers", f"{where}: diagnosis pointer {shown} points at no "
                                    f"diagnosis (the claim has {diagnoses}: pointers 1 to {diagnoses})"))
    repeated = sorted({str(p) for p in pointers if pointers.count(p) > 1})
    if repeated:
        problems.append(Problem("diagnosis_pointers", f"{where}: pointer {', '.join(map(str, repeated))} appears "
                                "twice"))
    return problems


def _charge(where: str, raw: Decimal | str, problems: list[Problem]) -> Money | None:
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
        if not value.is_finite():
            raise InvalidOperation
        charge = Money.from_decimal(value)
    except (InvalidOperation, InvalidInput):
        problems.append(Problem("charge", f"{where}: charge '{_cut(str(raw))}' is not an amount in dollars and "
                                "cents (e.g. 150.00)"))
        return None
    if charge.cents <= 0:
        problems.append(Problem("charge", f"{where}: charge must be more than 0.00 (got {charge.plain()})"))
    elif charge > MAX_CHARGE:
        problems.append(Problem("charge", f"{where}: charge {charge} is more than a line may carry "
                                f"({MAX_CHARGE})"))
    return charge


def check_editable(claim: str, status: ClaimStatus) -> None:
    """Raise InvalidTransition unless the claim's lines may be edited in ``status``."""
    if status in EDITABLE:
        return
    if status in ADJUDICATED:
        raise InvalidTransition(f"claim {claim} is {status.value.replace('_', ' ')}; the payer has adjudicated "
                                "it, so its lines are not edited: send a corrected claim (frequency 7) or void it "
                                "(frequency 8)")
    raise InvalidTransition(f"claim {claim} is {status.value.replace('_', ' ')}; its lines can be edited only "
                            "before it is sent or once it is rejected")


def check_correctable(claim: str, status: ClaimStatus, frequency: str, *, own_frequency: str,
                      payer_claim_number: str | None, replaced_by: str | None) -> None:
    """Raise InvalidInput for a frequency other than 7 or 8, InvalidTransition when the claim cannot be replaced
    or voided now (not adjudicated, already replaced, itself a void, or without the payer's claim number)."""
    if frequency not in FREQUENCIES:
        raise InvalidFields(f"claim {claim} was not corrected", (Problem(
            "frequency", f"'{_cut(frequency)}' is not a frequency for a correction: 7 (replacement) or 8 (void)"),))
    kind = FREQUENCIES[frequency]
    if own_frequency == "8":
        raise InvalidTransition(f"claim {claim} is a void; a void is neither replaced nor voided again")
    if replaced_by is not None:
        raise InvalidTransition(f"claim {claim} was already replaced or voided by claim {replaced_by}")
    if status not in ADJUDICATED:
        hint = {S.SUBMITTED: "; wait for the payer's answer", S.ACCEPTED: "; wait for the payer's answer",
                S.CLOSED: "; a closed claim is not sent again"}.get(status, "; edit its lines instead")
        raise InvalidTransition(f"claim {claim} is {status.value.replace('_', ' ')}; only a claim the payer "
                                f"adjudicated (paid, partially paid or denied) gets a {kind}{hint}")
    if not payer_claim_number:
        raise InvalidTransition(f"claim {claim} has no payer claim number (835 CLP07); a {kind} needs it "
                                "(REF*F8): find it on the remittance and ask the payer")


def _cut(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "..."
