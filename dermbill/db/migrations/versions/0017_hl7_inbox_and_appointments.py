"""HL7 v2 from the practices' EHRs (issue 14): every message stored as received, before it is acknowledged;
appointments (HL7 SIU); an encounter's EHR visit number

``hl7_message`` keeps each message's text, its sender and control ID (unique together: a message sent again is
found, not processed twice), its state (received, processed, failed, rejected), why it failed and where
(segment-field), what processing made, and how many times it was tried. ``appointment`` holds the scheduled
visits of a practice. ``encounter.external_id`` is the EHR's visit number, unique within the practice.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 17:30:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hl7_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=True),
        sa.Column('sending_application', sa.String(length=180), nullable=True),
        sa.Column('sending_facility', sa.String(length=180), nullable=True),
        sa.Column('control_id', sa.String(length=199), nullable=True),
        sa.Column('message_type', sa.String(length=20), nullable=True),
        sa.Column('raw', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('error_location', sa.String(length=20), nullable=True),
        sa.Column('outcome', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('received_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('processed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('received', 'processed', 'failed', 'rejected')",
                           name=op.f('ck_hl7_message_status')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_hl7_message_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hl7_message')),
        sa.UniqueConstraint('sending_application', 'sending_facility', 'control_id',
                            name=op.f('uq_hl7_message_sending_application_sending_facility_control_id')),
    )
    op.create_index(op.f('ix_hl7_message_practice_id'), 'hl7_message', ['practice_id'], unique=False)
    op.create_index(op.f('ix_hl7_message_status'), 'hl7_message', ['status'], unique=False)
    op.create_table(
        'appointment',
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('location_id', sa.Integer(), nullable=True),
        sa.Column('starts_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('external_id', sa.String(length=80), nullable=True),
        sa.Column('updated_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('booked', 'cancelled', 'no_show', 'arrived', 'completed')",
                           name=op.f('ck_appointment_status')),
        sa.ForeignKeyConstraint(['practice_id', 'location_id'], ['service_location.practice_id', 'service_location.id'],
                                name=op.f('fk_appointment_practice_id_location_id_service_location')),
        sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'],
                                name=op.f('fk_appointment_practice_id_patient_id_patient')),
        sa.ForeignKeyConstraint(['practice_id', 'provider_id'], ['provider.practice_id', 'provider.id'],
                                name=op.f('fk_appointment_practice_id_provider_id_provider')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_appointment_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
        sa.UniqueConstraint('practice_id', 'external_id', name=op.f('uq_appointment_practice_id_external_id')),
        sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_appointment_practice_id_id')),
    )
    op.create_index(op.f('ix_appointment_patient_id'), 'appointment', ['patient_id'], unique=False)
    op.create_index(op.f('ix_appointment_practice_id'), 'appointment', ['practice_id'], unique=False)
    op.create_index('ix_appointment_practice_start', 'appointment', ['practice_id', 'starts_at'], unique=False)
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_encounter_practice_id_external_id'),
                                          ['practice_id', 'external_id'])


def downgrade() -> None:
    with op.batch_alter_table('encounter', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_encounter_practice_id_external_id'), type_='unique')
        batch_op.drop_column('external_id')
    op.drop_table('appointment')
    op.drop_table('hl7_message')
