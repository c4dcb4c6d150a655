"""Reports (issue 17): indexes for the period queries, and the ledger summaries the reports read

Indexes: line_adjudication (practice_id, adjudicated_on), claim_status_event (practice_id, to_status,
occurred_at), denial_item (practice_id, adjudicated_on), journal_entry (practice_id, entry_date): a month's
adjudications, submissions, denials and entries are a range of one index instead of every row of the practices.

``ledger_day_total``: the net of each account's postings per day. ``receivable_balance``: each receivable
account's (1100, 1150, 1200) balance per line, claim (postings naming no line), payer and patient (0 for none).
Both are filled here from the postings and kept by ``PracticeRepository.post_many`` in the transaction that posts.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, name, columns in (
            ('line_adjudication', 'ix_line_adjudication_practice_day', ['practice_id', 'adjudicated_on']),
            ('claim_status_event', 'ix_claim_status_event_practice_status_at',
             ['practice_id', 'to_status', 'occurred_at']),
            ('denial_item', 'ix_denial_item_practice_day', ['practice_id', 'adjudicated_on']),
            ('journal_entry', 'ix_journal_entry_practice_day', ['practice_id', 'entry_date'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)
    op.create_table('ledger_day_total',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'account_id'], ['ledger_account.practice_id', 'ledger_account.id'], name=op.f('fk_ledger_day_total_practice_id_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_ledger_day_total_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_day_total')),
    sa.UniqueConstraint('practice_id', 'account_id', 'entry_date', name=op.f('uq_ledger_day_total_practice_id_account_id_entry_date'))
    )
    with op.batch_alter_table('ledger_day_total', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_day_total_practice_id'), ['practice_id'], unique=False)
    op.create_table('receivable_balance',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('claim_line_key', sa.Integer(), nullable=False),
    sa.Column('claim_key', sa.Integer(), nullable=False),
    sa.Column('payer_key', sa.Integer(), nullable=False),
    sa.Column('patient_key', sa.Integer(), nullable=False),
    sa.Column('balance_cents', sa.BigInteger(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'account_id'], ['ledger_account.practice_id', 'ledger_account.id'], name=op.f('fk_receivable_balance_practice_id_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_receivable_balance_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receivable_balance')),
    sa.UniqueConstraint('practice_id', 'account_id', 'claim_line_key', 'claim_key', 'payer_key', 'patient_key', name='uq_receivable_balance_key')
    )
    with op.batch_alter_table('receivable_balance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receivable_balance_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_receivable_balance_open', ['practice_id'], unique=False,
                              postgresql_where=sa.text('balance_cents <> 0'), sqlite_where=sa.text('balance_cents <> 0'))
    op.execute("""
        INSERT INTO ledger_day_total (practice_id, account_id, entry_date, amount_cents)
        SELECT p.practice_id, p.account_id, j.entry_date, SUM(p.amount_cents)
          FROM posting p JOIN journal_entry j ON j.id = p.journal_entry_id
         GROUP BY p.practice_id, p.account_id, j.entry_date""")
    op.execute("""
        INSERT INTO receivable_balance (practice_id, account_id, claim_line_key, claim_key, payer_key, patient_key,
                                        balance_cents)
        SELECT p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0),
               CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END,
               COALESCE(p.payer_id, 0), COALESCE(p.patient_id, 0), SUM(p.amount_cents)
          FROM posting p JOIN ledger_account a ON a.id = p.account_id
         WHERE a.code IN ('1100', '1150', '1200')
         GROUP BY p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0),
                  CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END,
                  COALESCE(p.payer_id, 0), COALESCE(p.patient_id, 0)""")


def downgrade() -> None:
    with op.batch_alter_table('receivable_balance', schema=None) as batch_op:
        batch_op.drop_index('ix_receivable_balance_open')
        batch_op.drop_index(batch_op.f('ix_receivable_balance_practice_id'))
    op.drop_table('receivable_balance')
    with op.batch_alter_table('ledger_day_total', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_day_total_practice_id'))
    op.drop_table('ledger_day_total')
    for table, name in (('journal_entry', 'ix_journal_entry_practice_day'),
                        ('denial_item', 'ix_denial_item_practice_day'),
                        ('claim_status_event', 'ix_claim_status_event_practice_status_at'),
                        ('line_adjudication', 'ix_line_adjudication_practice_day')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
