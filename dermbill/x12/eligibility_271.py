"""Eligibility benefit response, 271 (005010X279A1): coverage, copays, coinsurance, deductibles, errors.

Each EB segment is one benefit: its code (1 active coverage, 6 inactive, A coinsurance, B copay,
C deductible, G out-of-pocket ...), coverage level, service types (repeating), insurance type, plan,
time period, amount, percent, quantity and whether it is in network. AAA segments are request errors
(an unknown member, a missing date of birth) with the follow-up the payer asks for. Each person carries the
trace number of its loop (TRN02, the 270's), and each benefit the entities its 2120 loop names (EB*R with
NM1*PRP: the payer that is primary).
"""

from __future__ import annotations

from typing import Any

from dermbill.x12.transactions import TransactionSet
from dermbill.x12.values import amount, date

Json = dict[str, Any]
BENEFITS = {"1": "active coverage", "6": "inactive", "A": "coinsurance", "B": "copayment", "C": "deductible",
            "F": "limitations", "G": "out of pocket (stop loss)", "I": "non-covered", "L": "primary care provider",
            "R": "other or additional payor", "N": "services restricted to following provider",
            "V": "cannot process", "X": "health care facility", "Y": "spend down"}
NETWORK = {"Y": "in network", "N": "out of network", "W": "not applicable", "U": "unknown"}


def read_271(transaction: TransactionSet) -> Json:
    repetition = transaction.delimiters.repetition
    notices = list(transaction.notices)
    result: Json = {"type": "271", "control_number": transaction.control_number, "payer": {}, "subscribers": [],
                    "errors": [], "notices": notices}
    person: Json | None = None
    level = ""
    trace = ""  # TRN02 of the 2000C/D loop: the 270's trace number, echoed
    related = False  # inside LS*2120 ... LE*2120: the entities a benefit names (another payer, a provider)
    for s in transaction.segments:
        if s.id == "HL":
            level, trace = s.get(3), ""
        elif s.id == "TRN" and s.get(1) == "2":
            trace = s.get(2)
            if person is not None and person["level"] == level and not person["trace_number"]:
                person["trace_number"] = trace
        elif s.id == "LS":
            related = True
        elif s.id == "LE":
            related = False
        elif s.id == "NM1" and related:
            if person is not None and person["benefits"]:
                person["benefits"][-1]["entities"].append({"code": s.get(1), "name": s.get(3),
                                                           "qualifier": s.get(8) or None,
                                                           "identifier": s.get(9) or None})
        elif s.id == "NM1":
            if s.get(1) == "PR":
                result["payer"] = {"name": s.get(3), "identifier": s.get(9)}
            elif s.get(1) in ("IL", "03"):
                person = {"role": "subscriber" if s.get(1) == "IL" else "dependent", "last_name": s.get(3),
                          "first_name": s.get(4), "member_id": s.get(9), "benefits": [], "dates": {},
                          "errors": [], "level": level, "trace_number": trace}
                result["subscribers"].append(person)
        elif s.id == "AAA":
            error = {"valid_request": s.get(1) == "Y", "reason": s.get(3), "follow_up": s.get(4)}
            (person["errors"] if person is not None else result["errors"]).append(error)
        elif s.id == "DTP" and person is not None:
            person["dates"][s.get(1)] = s.get(3) if s.get(2) == "RD8" else date(s, 3, notices)
        elif s.id == "EB" and person is not None:
            service_types = s.get(3).split(repetition) if repetition and s.get(3) else (
                [s.get(3)] if s.get(3) else [])
            percent = s.get(8) or None
            person["benefits"].append({
                "code": s.get(1), "meaning": BENEFITS.get(s.get(1), "other"), "coverage_level": s.get(2) or None,
                "service_types": service_types, "insurance_type": s.get(4) or None, "plan": s.get(5) or None,
                "time_period": s.get(6) or None, "amount": amount(s, 7), "percent": percent,
                "quantity_qualifier": s.get(9) or None, "quantity": s.get(10) or None,
                "authorization_required": s.get(11) or None,
                "network": NETWORK.get(s.get(12)) if s.get(12) else None, "messages": [], "entities": [],
            })
        elif s.id == "MSG" and person is not None and person["benefits"]:
            person["benefits"][-1]["messages"].append(s.get(1))
    return result
