"""Soft collections (issue 16)

``collection_hold``: a hold on a guarantor's dunning cadence (a dispute, a pending insurance re-bill, a hardship
review), open until released. ``collection_contact``: the contact log of the collections team (channel, outcome, a
promise to pay with its date and amount). ``agency_placement``: a balance proposed for, approved for and placed with
a collection agency, the bad-debt write-off entry posted when it was placed, and what the agency recovered since.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:10:16
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency_placement',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('balance_cents', sa.Integer(), nullable=False),
    sa.Column('proposed_by', sa.String(length=100), nullable=False),
    sa.Column('proposed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('placed_file', sa.String(length=100), nullable=True),
    sa.Column('placed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('written_off_entry_id', sa.Integer(), nullable=True),
    sa.Column('recovered_cents', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'approved', 'rejected', 'placed', 'recalled')", name=op.f('ck_agency_placement_status')),
    sa.CheckConstraint('balance_cents > 0', name=op.f('ck_agency_placement_balance_cents_positive')),
    sa.CheckConstraint('recovered_cents >= 0', name=op.f('ck_agency_placement_recovered_cents_not_negative')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_agency_placement_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id', 'written_off_entry_id'], ['journal_entry.practice_id', 'journal_entry.id'], name=op.f('fk_agency_placement_practice_id_written_off_entry_id_journal_entry')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_agency_placement_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_placement')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_agency_placement_practice_id_id'))
    )
    with op.batch_alter_table('agency_placement', schema=None) as batch_op:
        batch_op.create_index('ix_agency_placement_patient', ['practice_id', 'patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_placement_practice_id'), ['practice_id'], unique=False)

    op.create_table('collection_contact',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('contacted_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('contacted_by', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=15), nullable=False),
    sa.Column('promise_date', sa.Date(), nullable=True),
    sa.Column('promise_cents', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('phone', 'email', 'letter', 'in_person')", name=op.f('ck_collection_contact_channel')),
    sa.CheckConstraint("outcome IN ('reached', 'left_message', 'no_answer', 'wrong_number', 'promise_to_pay', 'dispute', 'paid')", name=op.f('ck_collection_contact_outcome')),
    sa.CheckConstraint('promise_cents IS NULL OR promise_cents > 0', name=op.f('ck_collection_contact_promise_cents_positive')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_collection_contact_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_collection_contact_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_contact'))
    )
    with op.batch_alter_table('collection_contact', schema=None) as batch_op:
        batch_op.create_index('ix_collection_contact_patient', ['practice_id', 'patient_id', 'contacted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_contact_practice_id'), ['practice_id'], unique=False)

    op.create_table('collection_hold',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by', sa.String(length=100), nullable=False),
    sa.Column('placed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_by', sa.String(length=100), nullable=True),
    sa.Column('released_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('dispute', 'insurance_rebill', 'hardship_review')", name=op.f('ck_collection_hold_kind')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_collection_hold_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_collection_hold_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_hold'))
    )
    with op.batch_alter_table('collection_hold', schema=None) as batch_op:
        batch_op.create_index('ix_collection_hold_patient', ['practice_id', 'patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_collection_hold_practice_id'), ['practice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('collection_hold', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_hold_practice_id'))
        batch_op.drop_index('ix_collection_hold_patient')

    op.drop_table('collection_hold')
    with op.batch_alter_table('collection_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_contact_practice_id'))
        batch_op.drop_index('ix_collection_contact_patient')

    op.drop_table('collection_contact')
    with op.batch_alter_table('agency_placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_placement_practice_id'))
        batch_op.drop_index('ix_agency_placement_patient')

    op.drop_table('agency_placement')
