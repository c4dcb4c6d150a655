"""Check-in (issue 15): the checklist's ticks, referrals and authorizations on file, copays collected

``check_in_setting`` holds a practice's limit on the age of an eligibility answer (271) that still proves coverage;
``check_in_mark`` a person's tick on an appointment's checklist item (identity, demographics, coverage, ABN), with
who and when; ``payer_authorization`` a referral or prior authorization number on file for a patient with a payer
(the codes it covers, its dates); ``copay_receipt`` a copay taken at check-in, with the journal entry that posted it
and its reference (receipt number or card terminal reference, never a card number), unique per practice.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 03:40:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('check_in_setting',
    sa.Column('verification_stale_days', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('verification_stale_days > 0', name=op.f('ck_check_in_setting_stale_days_positive')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_check_in_setting_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_setting')),
    sa.UniqueConstraint('practice_id', name=op.f('uq_check_in_setting_practice_id'))
    )
    with op.batch_alter_table('check_in_setting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_setting_practice_id'), ['practice_id'], unique=False)

    op.create_table('payer_authorization',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.String(length=50), nullable=False),
    sa.Column('codes', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('referral', 'prior_authorization')", name=op.f('ck_payer_authorization_kind')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_payer_authorization_dates_in_order')),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], name=op.f('fk_payer_authorization_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_payer_authorization_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_payer_authorization_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payer_authorization')),
    sa.UniqueConstraint('practice_id', 'payer_id', 'kind', 'number', name=op.f('uq_payer_authorization_practice_id_payer_id_kind_number'))
    )
    with op.batch_alter_table('payer_authorization', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payer_authorization_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payer_authorization_practice_id'), ['practice_id'], unique=False)

    op.create_table('check_in_mark',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('checked_by', sa.String(length=100), nullable=False),
    sa.Column('checked_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("item IN ('identity', 'demographics', 'coverage', 'abn')", name=op.f('ck_check_in_mark_item')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_check_in_mark_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_check_in_mark_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_mark')),
    sa.UniqueConstraint('appointment_id', 'item', name=op.f('uq_check_in_mark_appointment_id_item'))
    )
    with op.batch_alter_table('check_in_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_mark_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_mark_practice_id'), ['practice_id'], unique=False)

    op.create_table('copay_receipt',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('journal_entry_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('applied_cents', sa.BigInteger(), nullable=False),
    sa.Column('collected_by', sa.String(length=100), nullable=False),
    sa.Column('collected_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'card', 'check')", name=op.f('ck_copay_receipt_method')),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_copay_receipt_amount_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_copay_receipt_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'journal_entry_id'], ['journal_entry.practice_id', 'journal_entry.id'], name=op.f('fk_copay_receipt_practice_id_journal_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_copay_receipt_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_copay_receipt_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_copay_receipt')),
    sa.UniqueConstraint('practice_id', 'reference', name=op.f('uq_copay_receipt_practice_id_reference'))
    )
    with op.batch_alter_table('copay_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copay_receipt_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_copay_receipt_practice_id'), ['practice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('copay_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copay_receipt_practice_id'))
        batch_op.drop_index(batch_op.f('ix_copay_receipt_appointment_id'))

    op.drop_table('copay_receipt')
    with op.batch_alter_table('check_in_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_mark_practice_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_mark_appointment_id'))

    op.drop_table('check_in_mark')
    with op.batch_alter_table('payer_authorization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payer_authorization_practice_id'))
        batch_op.drop_index(batch_op.f('ix_payer_authorization_patient_id'))

    op.drop_table('payer_authorization')
    with op.batch_alter_table('check_in_setting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_in_setting_practice_id'))

    op.drop_table('check_in_setting')
