"""Claim search (issue 13): the claim's date of service kept on the claim, and the indexes of the claims list,
the claim board and the claim search

``claim.date_of_service`` is the earliest service date of the claim's lines (the encounter's date for a claim
without lines, the day it was made for one without either). The claims list orders by (date_of_service, id)
descending; with a million claims each of its shapes reads an index in that order: all of a user's practices
(ix_claim_dos_id), one practice (ix_claim_practice_dos_id), a state (ix_claim_status_dos_id), a patient
(ix_claim_patient_dos_id, which also replaces ix_claim_patient_id), a claim number prefix
(ix_claim_patient_control_number). The board counts and sums by state from ix_claim_practice_status_charge alone,
which replaces ix_claim_practice_status (its first two columns). A rendering provider filter uses
ix_claim_rendering_provider_id.

A patient's name is searched case-insensitively (``upper(last_name) LIKE 'SMI%'``): on PostgreSQL an expression
index answers it (ix_patient_upper_last_name, text_pattern_ops so that LIKE can use it under any collation). SQLite
has no need of it at its sizes, and SQLAlchemy cannot reflect it there, so it is PostgreSQL's alone
(``dermbill.db.models.POSTGRESQL_ONLY_INDEXES``, left out of the schema comparison).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 08:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

CLAIM_INDEXES = (
    ('ix_claim_practice_status_charge', ['practice_id', 'status', 'total_charge_cents']),
    ('ix_claim_dos_id', ['date_of_service', 'id']),
    ('ix_claim_practice_dos_id', ['practice_id', 'date_of_service', 'id']),
    ('ix_claim_status_dos_id', ['status', 'date_of_service', 'id']),
    ('ix_claim_patient_dos_id', ['patient_id', 'date_of_service', 'id']),
    ('ix_claim_patient_control_number', ['patient_control_number']),
    ('ix_claim_rendering_provider_id', ['rendering_provider_id']),
)


def upgrade() -> None:
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_of_service', sa.Date(), nullable=True))
    made_on = "date(created_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(created_at AS DATE)"
    op.execute(
        "UPDATE claim SET date_of_service = COALESCE("
        "(SELECT MIN(claim_line.service_date_from) FROM claim_line WHERE claim_line.claim_id = claim.id), "
        "(SELECT encounter.date_of_service FROM encounter WHERE encounter.id = claim.encounter_id), "
        f"{made_on})")
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.alter_column('date_of_service', existing_type=sa.Date(), nullable=False)
        batch_op.drop_index('ix_claim_practice_status')
        batch_op.drop_index('ix_claim_patient_id')
        for name, columns in CLAIM_INDEXES:
            batch_op.create_index(name, columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_patient_upper_last_name ON patient (upper(last_name) text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_patient_upper_last_name")
    with op.batch_alter_table('claim', schema=None) as batch_op:
        for name, _ in reversed(CLAIM_INDEXES):
            batch_op.drop_index(name)
        batch_op.create_index('ix_claim_patient_id', ['patient_id'], unique=False)
        batch_op.create_index('ix_claim_practice_status', ['practice_id', 'status'], unique=False)
        batch_op.drop_column('date_of_service')
