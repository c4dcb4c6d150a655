"""The ledger summaries the reports read (``ledger_day_total``, ``receivable_balance``), rebuilt from the postings.

``PracticeRepository.post_many`` keeps both in the transaction that posts; ``rebuild_statements`` makes them again
from the postings (after rows were written around dermbill, e.g. by a bulk load, or to check them): the same SQL on
SQLite and PostgreSQL, run in one transaction.
"""

from __future__ import annotations

_DAY_TOTALS = """
INSERT INTO ledger_day_total (practice_id, account_id, entry_date, amount_cents)
SELECT p.practice_id, p.account_id, j.entry_date, SUM(p.amount_cents)
  FROM posting p JOIN journal_entry j ON j.id = p.journal_entry_id
 GROUP BY p.practice_id, p.account_id, j.entry_date"""

_RECEIVABLES = """
INSERT INTO receivable_balance (practice_id, account_id, claim_line_key, claim_key, payer_key, patient_key,
                                balance_cents, claim_ref, service_date, provider_key, procedure_code, claim_payer_key)
SELECT p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0),
       CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END,
       COALESCE(p.payer_id, 0), COALESCE(p.patient_id, 0), SUM(p.amount_cents),
       COALESCE(l.claim_id, c.id, 0), COALESCE(l.service_date_from, c.date_of_service),
       COALESCE(l.rendering_provider_id, c.rendering_provider_id, 0), l.procedure_code, COALESCE(c.payer_id, 0)
  FROM posting p JOIN ledger_account a ON a.id = p.account_id
  LEFT JOIN claim_line l ON l.id = p.claim_line_id
  LEFT JOIN claim c ON c.id = COALESCE(l.claim_id, p.claim_id)
 WHERE a.code IN ('1100', '1150', '1200')
 GROUP BY p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0),
          CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END,
          COALESCE(p.payer_id, 0), COALESCE(p.patient_id, 0),
          COALESCE(l.claim_id, c.id, 0), COALESCE(l.service_date_from, c.date_of_service),
          COALESCE(l.rendering_provider_id, c.rendering_provider_id, 0), l.procedure_code, COALESCE(c.payer_id, 0)"""


def rebuild_statements() -> tuple[str, ...]:
    """The statements that empty both summaries and fill them again from the postings, in order."""
    return ("DELETE FROM ledger_day_total", "DELETE FROM receivable_balance", _DAY_TOTALS, _RECEIVABLES)
