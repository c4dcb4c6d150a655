"""The pure domain core: money, identifiers, the ledger, errors, the remittance model and the posting plan.

Imports only the standard library: no SQLAlchemy, no HTTP, no X12, no clock (``as_of`` is passed in).
"""
