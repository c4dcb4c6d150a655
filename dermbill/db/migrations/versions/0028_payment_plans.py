"""Payment plans and patient adjustments (issue 16)

``payment_plan``: a guarantor's plan to pay a balance in monthly installments (active, completed, broken by two
missed installments, or cancelled), with an autopay reference (a terminal or processor token, never a card
number). ``payment_plan_installment``: each installment's due date, amount and what has been paid toward it.
``patient_adjustment_request``: a refund of a patient credit, a hardship or charity adjustment, or a small-balance
write-off: who asked, who decided (approval by another person), and the journal entry once posted.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 06:10:50
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patient_adjustment_request',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=13), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=9), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=True),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('requested_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('refund', 'hardship', 'small_balance')", name=op.f('ck_patient_adjustment_request_kind')),
    sa.CheckConstraint("status IN ('requested', 'approved', 'rejected', 'posted')", name=op.f('ck_patient_adjustment_request_status')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_patient_adjustment_request_amount_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'journal_entry_id'], ['journal_entry.practice_id', 'journal_entry.id'], name=op.f('fk_patient_adjustment_request_practice_id_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_patient_adjustment_request_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_patient_adjustment_request_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_adjustment_request')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_patient_adjustment_request_practice_id_id'))
    )
    with op.batch_alter_table('patient_adjustment_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_adjustment_request_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_adjustment_request_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_patient_adjustment_request_practice_status', ['practice_id', 'kind', 'status'], unique=False)

    op.create_table('payment_plan',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.BigInteger(), nullable=False),
    sa.Column('installment_count', sa.Integer(), nullable=False),
    sa.Column('first_due_on', sa.Date(), nullable=False),
    sa.Column('autopay_reference', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('active', 'completed', 'broken', 'cancelled')", name=op.f('ck_payment_plan_status')),
    sa.CheckConstraint('total_cents > 0', name=op.f('ck_payment_plan_total_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_payment_plan_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payment_plan_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_plan')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_payment_plan_practice_id_id'))
    )
    with op.batch_alter_table('payment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_plan_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_plan_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_payment_plan_practice_status', ['practice_id', 'status'], unique=False)

    op.create_table('payment_plan_installment',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('paid_cents', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('due', 'paid', 'missed')", name=op.f('ck_payment_plan_installment_status')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_payment_plan_installment_amount_positive')),
    sa.CheckConstraint('paid_cents >= 0 AND paid_cents <= amount_cents', name=op.f('ck_payment_plan_installment_paid_within_amount')),
    sa.ForeignKeyConstraint(['practice_id', 'plan_id'], ['payment_plan.practice_id', 'payment_plan.id'], name=op.f('fk_payment_plan_installment_practice_id_plan_id_payment_plan')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payment_plan_installment_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_plan_installment')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_payment_plan_installment_plan_id_number'))
    )
    with op.batch_alter_table('payment_plan_installment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_plan_installment_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_plan_installment_practice_id'), ['practice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('payment_plan_installment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_plan_installment_practice_id'))
        batch_op.drop_index(batch_op.f('ix_payment_plan_installment_plan_id'))

    op.drop_table('payment_plan_installment')
    with op.batch_alter_table('payment_plan', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_plan_practice_status')
        batch_op.drop_index(batch_op.f('ix_payment_plan_practice_id'))
        batch_op.drop_index(batch_op.f('ix_payment_plan_patient_id'))

    op.drop_table('payment_plan')
    with op.batch_alter_table('patient_adjustment_request', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_adjustment_request_practice_status')
        batch_op.drop_index(batch_op.f('ix_patient_adjustment_request_practice_id'))
        batch_op.drop_index(batch_op.f('ix_patient_adjustment_request_patient_id'))

    op.drop_table('patient_adjustment_request')
