"""Implementation acknowledgment, 999 (005010X231A1): did the receiver accept each transaction set we sent?

AK1 names the functional group; AK2 each transaction set; IK3/IK4 the segment and element errors
(with the context); IK5 the set's verdict (A accepted, E accepted with errors, R rejected, ...);
AK9 the group's verdict and counts.
"""

from __future__ import annotations

from typing import Any

from dermbill.x12.transactions import TransactionSet

Json = dict[str, Any]
VERDICTS = {"A": "accepted", "E": "accepted with errors", "M": "rejected (message authentication)",
            "P": "partially accepted", "R": "rejected", "W": "rejected (assurance)", "X": "rejected (content)"}


def read_999(transaction: TransactionSet) -> Json:
    result: Json = {"type": "999", "control_number": transaction.control_number, "functional_group": {},
                    "transaction_sets": [], "notices": transaction.notices}
    current: Json | None = None
    error: Json | None = None
    for s in transaction.segments:
        if s.id == "AK1":
            result["functional_group"].update({"functional_id": s.get(1), "group_control_number": s.get(2),
                                               "version": s.get(3)})
        elif s.id == "AK2":
            current = {"type": s.get(1), "control_number": s.get(2), "version": s.get(3), "status": None,
                       "status_text": None, "errors": [], "codes": []}
            result["transaction_sets"].append(current)
            error = None
        elif s.id == "IK3" and current is not None:
            error = {"segment_id": s.get(1), "position": s.get(2), "loop": s.get(3), "code": s.get(4),
                     "elements": []}
            current["errors"].append(error)
        elif s.id == "IK4" and error is not None:
            position = s.get(1).split(transaction.delimiters.component)
            error["elements"].append({"position": position[0], "component": position[1] if len(position) > 1 else "",
                                      "reference": s.get(2), "code": s.get(3), "value": s.get(4)})
        elif s.id == "IK5" and current is not None:
            current["status"] = s.get(1)
            current["status_text"] = VERDICTS.get(s.get(1), "unknown")
            current["codes"] = [code for code in s.elements[2:7] if code]
        elif s.id == "AK9":
            result["functional_group"].update({
                "status": s.get(1), "status_text": VERDICTS.get(s.get(1), "unknown"), "included": s.get(2),
                "received": s.get(3), "accepted": s.get(4), "codes": [code for code in s.elements[5:10] if code],
            })
    return result
