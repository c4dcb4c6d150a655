"""Claim acknowledgment 277CA (005010X214) and claim status response 277 (005010X212).

Both nest an information source (payer, HL 20), receiver (21), billing provider (19) and patient or
claim (PT / 22-23) and report statuses in STC: a composite of category (A1 accepted, A3 rejected, F1
paid, P1 pending ...), status code and entity, with a date, an action code and amounts. Claims are tied
back to ours by TRN02 (our patient control number) and carry the payer's claim number (REF*1K).
"""

from __future__ import annotations

from typing import Any

from dermbill.x12.tokenizer import Segment
from dermbill.x12.transactions import TransactionSet
from dermbill.x12.values import amount, composite, date

Json = dict[str, Any]
ACCEPTED_CATEGORIES = frozenset({"A0", "A1", "A2", "A5"})
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8", "DR01", "E0", "E1", "E2", "E3", "E4"})


def _status(s: Segment, component: str, notices: list[str]) -> list[Json]:
    statuses = []
    for index in (1, 10, 11):
        if not s.get(index):
            continue
        parts = composite(s.get(index), component)
        statuses.append({"category": parts[0], "code": parts[1] if len(parts) > 1 else "",
                         "entity": parts[2] if len(parts) > 2 else "", "date": date(s, 2, notices),
                         "action": s.get(3), "charge": amount(s, 4), "paid": amount(s, 5)})
    return statuses


def read_277(transaction: TransactionSet) -> Json:
    """Claims with their statuses (277CA: accepted or rejected; 277: where the claim is)."""
    kind = "277CA" if transaction.version.endswith("X214") else "277"
    component = transaction.delimiters.component
    notices = list(transaction.notices)
    result: Json = {"type": kind, "control_number": transaction.control_number, "payer": {}, "providers": [],
                    "claims": [], "batch_statuses": [], "notices": notices, "trace_number": ""}
    level = ""
    claim: Json | None = None
    line: Json | None = None
    provider: Json | None = None
    patient: Json = {}
    for s in transaction.segments:
        if s.id == "BHT":
            result["trace_number"] = s.get(3)  # a 277's BHT03 echoes the 276's: which inquiry it answers
        elif s.id == "HL":
            level, line, claim = s.get(3), None, None  # a new level: what follows is not the last claim's
        elif s.id == "NM1":
            name = {"last_name": s.get(3), "first_name": s.get(4), "identifier": s.get(9)}
            if s.get(1) == "PR":
                result["payer"] = {"name": s.get(3), "identifier": s.get(9)}
            elif s.get(1) in ("85", "1P", "41"):
                provider = {"role": s.get(1), "name": s.get(3), "identifier": s.get(9), "statuses": []}
                result["providers"].append(provider)
            elif s.get(1) in ("QC", "IL"):
                patient = name
        elif s.id == "TRN" and s.get(1) == "2" and level in ("PT", "22", "23", "19", "21"):
            if level in ("PT", "22", "23"):
                claim = {"patient_control_number": s.get(2), "payer_claim_control_number": None,
                         "patient": dict(patient), "statuses": [], "lines": [], "service_date": None}
                result["claims"].append(claim)
        elif s.id == "STC":
            statuses = _status(s, component, notices)
            if line is not None:
                line["statuses"] += statuses
            elif claim is not None:
                claim["statuses"] += statuses
                if s.get(12):
                    claim["message"] = s.get(12)  # STC12: the payer's words on the claim
            elif provider is not None and level == "19":
                provider["statuses"] += statuses
            else:
                result["batch_statuses"] += statuses
        elif s.id == "REF" and claim is not None and line is None:
            if s.get(1) == "1K":
                claim["payer_claim_control_number"] = s.get(2)
            else:
                claim.setdefault("references", {})[s.get(1)] = s.get(2)
        elif s.id == "SVC" and claim is not None:
            parts = composite(s.get(1), component)
            line = {"code": parts[1] if len(parts) > 1 else parts[0], "modifiers": [m for m in parts[2:6] if m],
                    "charge": amount(s, 2), "paid": amount(s, 3), "units": s.get(7) or None, "statuses": []}
            claim["lines"].append(line)
        elif s.id == "DTP" and s.get(1) == "472" and claim is not None:
            target = line if line is not None else claim
            target["service_date"] = s.get(3)
    for claim_json in result["claims"]:
        categories = {status["category"] for status in claim_json["statuses"]}
        claim_json["accepted"] = bool(categories & ACCEPTED_CATEGORIES) and not categories & REJECTED_CATEGORIES
        claim_json["rejected"] = bool(categories & REJECTED_CATEGORIES)
    return result
