"""drop the practice keys and indexes that other constraints already make: fewer triggers per row posted

Every foreign key is a trigger run for every row inserted, and posting an 835 of 10,000 claims inserts 89,000
postings, 20,000 line adjudications, 10,000 claim status events and upserts 8,000 receivable balances. Each of
these tables had, besides its tenant keys ``(practice_id, x) -> table(practice_id, id)``, a plain key
``practice_id -> practice(id)``: redundant wherever one of its tenant keys is on a column that cannot be null,
since the row it names has the same practice and that row's own key to the practice checks it. They go:

- ``posting``: its practice is that of its journal entry (``journal_entry_id`` is not null; the entry keeps its
  key to the practice) and of its account.
- ``line_adjudication``, ``claim_status_event``: that of their claim (``claim_id`` is not null).
- ``receivable_balance``: that of its account (``account_id`` is not null).

The tenant keys stay, every one: a row still cannot name another practice's entry, claim, line or account, nor a
practice that does not exist. A practice with any of these rows still cannot be deleted (its entries, claims and
accounts refer to it).

Indexes on ``practice_id`` alone that another index begins with go too (each is written for every row inserted and
answers nothing the longer one does not): ``journal_entry`` (its unique keys), ``line_adjudication``
(``ix_line_adjudication_practice_day``), ``claim_status_event`` (``ix_claim_status_event_practice_status_at``),
``receivable_balance`` (``uq_receivable_balance_key``). ``posting`` keeps its own: no other index of it begins with
the practice.

SQLite rebuilds a table to drop a key (batch mode): the ledger's UPDATE and DELETE guards are put back on
``posting`` after it.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-07 19:00:00
"""
from alembic import op

from dermbill.db import ledger_guards

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

# table -> whether its index on practice_id alone goes too
_PRACTICE_KEYS = {'posting': False, 'line_adjudication': True, 'claim_status_event': True,
                  'receivable_balance': True}


def upgrade() -> None:
    for table, index_too in _PRACTICE_KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_practice_id_practice'), type_='foreignkey')
            if index_too:
                batch_op.drop_index(batch_op.f(f'ix_{table}_practice_id'))
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_entry_practice_id'))
    ledger_guards.reinstall_sqlite_guards(op.get_bind(), 'posting')


def downgrade() -> None:
    with op.batch_alter_table('journal_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_entry_practice_id'), ['practice_id'], unique=False)
    for table, index_too in _PRACTICE_KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if index_too:
                batch_op.create_index(batch_op.f(f'ix_{table}_practice_id'), ['practice_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_practice_id_practice'), 'practice', ['practice_id'],
                                        ['id'])
    ledger_guards.reinstall_sqlite_guards(op.get_bind(), 'posting')
