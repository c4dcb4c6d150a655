"""the statement checks of postings and line adjudications in one pass each (PostgreSQL)

Measured on the 60,000-claim 835 of ``benchmarks/era_posting.py`` (``pg_stat_user_functions`` with
``track_functions = 'pl'``): the reference checks of migration 0038 took 8.1 s of the server's time (5.3 s for the
postings, 2.8 s for the line adjudications) and the balance notes of migration 0036 0.5 s. Each reference gathered
the statement's distinct keys twice (once to lock the rows referred to, once to look each key up again); now once,
joined, locked and counted (``ledger_guards.create_reference_check_functions``); the first missing key is looked for
only when a key is missing, for the message. The balance note sums each entry's postings in the statement itself
instead of looking all of the entry's postings up (``ledger_guards.create_balance_note_function``): an entry
unbalanced at commit always has a statement whose own postings of it do not add up to zero. What is refused, with
which error, is unchanged (``tests/db/test_statement_references.py``, ``tests/db/test_ledger_storage.py``).

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-08 01:00:00
"""
from alembic import op

from dermbill.db import ledger_guards

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ledger_guards.create_reference_check_functions(op.get_bind(), one_pass=True)
    ledger_guards.create_balance_note_function(op.get_bind(), statement_sums=True)


def downgrade() -> None:
    ledger_guards.create_reference_check_functions(op.get_bind(), one_pass=False)
    ledger_guards.create_balance_note_function(op.get_bind(), statement_sums=False)
