"""HL7 v2 from a practice's EHR: reading messages (python-hl7 parses them), acknowledgments, the MLLP listener.

This package knows HL7 and nothing of the database: it turns a message into the values the services take
(``dermbill.services.charges_in.VisitCharges`` ...) and names, for each value, the segment and field it came from,
so that a problem found later is answered at the place in the message that caused it. docs/hl7.md describes the
messages and fields dermbill reads.
"""
