"""journal entries summed once per inserting statement, not once per posting (PostgreSQL)

Migration 0001's deferred constraint trigger summed an entry's postings at commit once for every posting row
inserted: for an 835 of 10,000 claims, 89,000 sums of the same 20,000 entries, a tenth of the time it takes to
post. ``trg_posting_entries_balanced`` replaces it: an AFTER INSERT trigger per statement (INSERT or COPY) that
sums each entry the statement touched once, from the statement's transition table, and notes in
``journal_entry_to_check`` (PostgreSQL only) those it left unbalanced; a deferred constraint trigger on that table
sums them again at commit and refuses the commit when one still does not balance
(``ledger_guards.install_statement_balance_check``). The guarantee is unchanged: every entry balances when its
transaction commits, whether its postings came in one statement or several. SQLite: a no-op (it has no balance
trigger; the code path is its only writer).

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 18:45:00
"""
from alembic import op

from dermbill.db import ledger_guards

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ledger_guards.install_statement_balance_check(op.get_bind())


def downgrade() -> None:
    ledger_guards.remove_statement_balance_check(op.get_bind())
