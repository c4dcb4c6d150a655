"""What a person must see before an 835's money is posted: pure checks over the typed remittance.

- **A payment's identity** is its payer and trace number (TRN02), never its bytes: the same payment sent again
  with a new date, in another order, or with another TRN03 or TRN04 (the payer naming itself otherwise) is the
  same payment. ``summary`` keeps what a payment says, claim by claim; ``differences`` tells a person how a
  second 835 of the same payment differs from the one posted (a conflict is never posted by itself).
- **Whole-file problems** (``file_problems``): no trace number, or the same claim payment twice (the payer's
  total counting both): nothing of the file is posted, it is quarantined.
- **A claim payment held for a person** (``held_reason``): a negative payment, units that are not a positive
  whole number, a reversal (CLP02 22) of a claim the payer never answered, or one whose amounts are not
  negated. Its cash is held (unapplied)
  with the reason; the rest of the 835 posts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from dermbill.core.remittance import REVERSAL, Adjustment, ClaimPayment, Remittance

Summary = dict[str, Any]


def summary(remittance: Remittance, claims: list[list[str]] | None = None) -> Summary:
    """What the payment says, as JSON: the amount, date, payer, payee and each claim's answer (``claims``: its
    claims' ``claim_summaries`` when the remittance was read without them, claim by claim as they were posted)."""
    return {"payment": str(remittance.total), "paid_on": remittance.paid_on.isoformat() if remittance.paid_on else "",
            "payer": remittance.payer_id or remittance.payer_name, "payee_npi": remittance.payee_npi,
            "trace_originator": remittance.trace_originator, "trace_reference": remittance.trace_reference,
            "claims": claim_summaries(remittance.claims) if claims is None else claims,
            "provider_adjustments": [[a.reason, a.reference, str(a.amount)] for a in remittance.provider_adjustments]}


def claim_summaries(claims: tuple[ClaimPayment, ...]) -> list[list[str]]:
    """Each claim payment's answer as ``summary`` keeps it."""
    return [[c.patient_control_number, c.status_code, str(c.charge), str(c.paid), c.payer_claim_number, _lines(c)]
            for c in claims]


def differences(posted: Summary, received: Summary) -> list[str]:
    """How a second 835 of a payment differs from the one posted, a line each (empty: it says the same).

    >>> a = {"payment": "10.00", "paid_on": "2026-11-02", "payer": "P", "payee_npi": "1",
    ...      "claims": [["C1", "1", "20.00", "10.00", "I1", ""]], "provider_adjustments": []}
    >>> differences(a, {**a, "payment": "12.00", "claims": [["C1", "1", "20.00", "12.00", "I1", ""]]})
    ['payment (BPR02): 10.00 posted, 12.00 in this file', 'claim C1 (1): paid 10.00 posted, paid 12.00 in this file']
    """
    found = []
    for key, label in (("payment", "payment (BPR02)"), ("paid_on", "payment date (BPR16)"), ("payer", "payer"),
                       ("payee_npi", "payee NPI"), ("trace_originator", "the payer's company ID (TRN03)"),
                       ("trace_reference", "the payer's division (TRN04)")):
        if posted.get(key) != received.get(key):
            found.append(f"{label}: {posted.get(key) or '(none)'} posted, {received.get(key) or '(none)'} in this file")
    old, new = _claims(posted), _claims(received)
    for pcn, status in sorted(old.keys() | new.keys()):
        was, now = old.get((pcn, status), Counter()), new.get((pcn, status), Counter())
        if was == now:
            continue
        if not was:
            found.append(f"claim {pcn} ({status}): not in the posted payment; {_answers(now)} in this file")
        elif not now:
            found.append(f"claim {pcn} ({status}): {_answers(was)} posted; not in this file")
        elif _answers(was) == _answers(now):
            found.append(f"claim {pcn} ({status}): the same payment with other adjustments, lines or claim number")
        else:
            found.append(f"claim {pcn} ({status}): {_answers(was)} posted, {_answers(now)} in this file")
    if Counter(map(tuple, posted.get("provider_adjustments", []))) != \
            Counter(map(tuple, received.get("provider_adjustments", []))):
        found.append("provider-level adjustments (PLB) differ")
    if not found and [c[0] for c in posted.get("claims", [])] != [c[0] for c in received.get("claims", [])]:
        found.append("the same claim payments in another order")
    return found


def _lines(claim: ClaimPayment) -> str:
    """A claim payment's own and its lines' adjustments, in a line of text (what else a resent 835 may change)."""
    def cas(adjustments: tuple[Adjustment, ...]) -> str:
        return " ".join(f"{a.group}-{a.reason} {a.amount}" for a in adjustments)
    return "; ".join([cas(claim.adjustments), *(f"{line.code} {line.charge} paid {line.paid} units {line.units} "
                                                 f"{cas(line.adjustments)}" for line in claim.lines)])


def _claims(data: Summary) -> dict[tuple[str, str], Counter[tuple[str, str, str]]]:
    claims: dict[tuple[str, str], Counter[tuple[str, str, str]]] = {}
    for pcn, status, charge, paid, icn, *lines in data.get("claims", []):
        claims.setdefault((pcn, status), Counter())[(charge, paid, f"{icn} {lines}")] += 1
    return claims


def _answers(answers: Counter[tuple[str, str, str]]) -> str:
    return " and ".join(f"paid {paid}" + (f" ({count} times)" if count > 1 else "")
                        for (_, paid, _), count in sorted(answers.items()))


# CLP02 codes of the 835 guide (005010X221A1).
CLAIM_STATUSES = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})


def file_problems(remittance: Remittance) -> list[str]:
    """Problems that keep the whole 835 from being posted (besides not balancing): values an 835 cannot hold."""
    problems = []
    if not remittance.trace_number.strip():
        problems.append("TRN02 (the payment's trace number) is missing: the payment cannot be told from another")
    for label, value, longest in (("TRN02 (the trace number)", remittance.trace_number, 50),
                                  ("N1*PR (the payer's name)", remittance.payer_name, 60),
                                  ("REF*2U (the payer's identifier)", remittance.payer_id, 50)):
        if len(value) > longest:
            problems.append(f"{label} has {len(value)} characters; an 835 allows {longest}")
    problems += claim_problems(remittance.claims)
    seen: Counter[ClaimPayment] = Counter(remittance.claims)
    for claim, count in seen.items():
        if count > 1:
            problems.append(f"claim payment {claim.patient_control_number} (CLP02 {claim.status_code}, paid "
                            f"{claim.paid}) is in the file {count} times, and BPR02 counts each: the payer must "
                            "send it once")
    return problems


def claim_problems(claims: tuple[ClaimPayment, ...]) -> list[str]:
    """``file_problems`` of these claim payments, each on its own (values an 835 cannot hold)."""
    problems = []
    for claim in claims:
        where = f"claim payment {claim.patient_control_number[:38]}"
        if len(claim.patient_control_number) > 38:
            problems.append(f"{where}: CLP01 has {len(claim.patient_control_number)} characters; an 835 allows 38")
        if claim.status_code not in CLAIM_STATUSES:
            problems.append(f"{where}: CLP02 '{claim.status_code[:10]}' is not a claim status code of the 835 "
                            f"(one of {', '.join(sorted(CLAIM_STATUSES, key=int))})")
        if len(claim.payer_claim_number) > 50:
            problems.append(f"{where}: CLP07 has {len(claim.payer_claim_number)} characters; an 835 allows 50")
        problems += [f"{where}: SVC01 procedure code '{line.code[:20]}' is longer than 5 characters"
                     for line in claim.lines if len(line.code) > 5]
    return problems


def held_reason(payment: ClaimPayment, *, answered_before: bool) -> str | None:
    """Why a matched claim payment goes to a person instead of the ledger (None: it posts).

    ``answered_before``: the payer has an answer in force on the claim (what a reversal takes back).
    """
    reversal = payment.status_code == REVERSAL
    if reversal and not answered_before:
        return "a reversal (CLP02 22) of a claim this payer has not answered: there is nothing to take back"
    if reversal and (payment.charge.cents > 0 or any(line.charge.cents > 0 for line in payment.lines)):
        return (f"a reversal (CLP02 22) with a positive charge ({payment.charge}): a reversal negates the amounts of "
                "the answer it takes back")
    if not reversal and payment.paid.cents < 0:
        return (f"a negative payment ({payment.paid}) on an original claim (CLP02 {payment.status_code}): only a "
                "reversal (CLP02 22) takes money back")
    for number, line in enumerate(payment.lines, start=1):
        if line.units != int(line.units):
            return f"service line {number} ({line.code}): SVC05 units {line.units} are not a whole number"
        if not reversal and line.units <= 0:
            return f"service line {number} ({line.code}): SVC05 units {line.units} on an original claim"
        if not reversal and (line.charge.cents < 0 or line.paid.cents < 0):
            return f"service line {number} ({line.code}): a negative amount on an original claim"
    return None

