"""Patient statements (issue 16)

``statement_policy``: a practice's statement and soft-collections policy (minimum to bill, due days, the cadence's
days and wording, the small-balance write-off threshold, cycle billing, the billing phone and pay-online address).
``statement``: a statement to a guarantor, its step, delivery and a snapshot of what it said; ``code`` is what the
patient types on the statement page. ``statement_claim``: the claims on a statement and what the patient owed on
each (a visit's first statement starts its aging).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:04:04
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statement_policy',
    sa.Column('minimum_balance_cents', sa.Integer(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('past_due_days', sa.Integer(), nullable=False),
    sa.Column('final_notice_days', sa.Integer(), nullable=False),
    sa.Column('agency_days', sa.Integer(), nullable=False),
    sa.Column('small_balance_cents', sa.Integer(), nullable=False),
    sa.Column('cycle_billing', sa.Boolean(), nullable=False),
    sa.Column('wording', sa.JSON(), nullable=False),
    sa.Column('billing_phone', sa.String(length=20), nullable=True),
    sa.Column('pay_url', sa.String(length=200), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_policy_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_policy')),
    sa.UniqueConstraint('practice_id', name=op.f('uq_statement_policy_practice_id'))
    )
    with op.batch_alter_table('statement_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_policy_practice_id'), ['practice_id'], unique=False)

    op.create_table('statement',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=15), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('delivery', sa.String(length=5), nullable=False),
    sa.Column('delivery_status', sa.String(length=8), nullable=False),
    sa.Column('delivered_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('print_batch', sa.String(length=40), nullable=True),
    sa.Column('delivery_note', sa.String(length=200), nullable=True),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("delivery IN ('email', 'print')", name=op.f('ck_statement_delivery')),
    sa.CheckConstraint("delivery_status IN ('pending', 'sent', 'bounced', 'printed')", name=op.f('ck_statement_delivery_status')),
    sa.CheckConstraint("step IN ('statement', 'reminder', 'past_due', 'final_notice')", name=op.f('ck_statement_step')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_statement_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement')),
    sa.UniqueConstraint('code', name=op.f('uq_statement_code')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_statement_practice_id_id')),
    sa.UniqueConstraint('practice_id', 'patient_id', 'statement_date', name=op.f('uq_statement_practice_id_patient_id_statement_date'))
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_statement_practice_day', ['practice_id', 'statement_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_practice_id'), ['practice_id'], unique=False)

    op.create_table('statement_claim',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('patient_owes_cents', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'], name=op.f('fk_statement_claim_practice_id_claim_id_claim')),
    sa.ForeignKeyConstraint(['practice_id', 'statement_id'], ['statement.practice_id', 'statement.id'], name=op.f('fk_statement_claim_practice_id_statement_id_statement')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_statement_claim_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_claim')),
    sa.UniqueConstraint('statement_id', 'claim_id', name=op.f('uq_statement_claim_statement_id_claim_id'))
    )
    with op.batch_alter_table('statement_claim', schema=None) as batch_op:
        batch_op.create_index('ix_statement_claim_claim', ['practice_id', 'claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_claim_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_claim_statement_id'), ['statement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statement_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_claim_statement_id'))
        batch_op.drop_index(batch_op.f('ix_statement_claim_practice_id'))
        batch_op.drop_index('ix_statement_claim_claim')

    op.drop_table('statement_claim')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_practice_id'))
        batch_op.drop_index('ix_statement_practice_day')
        batch_op.drop_index(batch_op.f('ix_statement_patient_id'))

    op.drop_table('statement')
    with op.batch_alter_table('statement_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_policy_practice_id'))

    op.drop_table('statement_policy')
