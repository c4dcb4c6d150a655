"""The front desk (issue 15): what an appointment is for

``appointment.visit_type`` is the kind of visit (new patient, follow-up, procedure, Mohs ...: the EHR's SCH-8
or typed at the desk); ``appointment.planned_codes`` the procedure codes planned for it (the EHR's AIS-3, the
CSV schedule or the desk), which the check-in checklist and the patient's cost estimate read.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 03:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointment') as batch:
        batch.add_column(sa.Column('visit_type', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('planned_codes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('appointment') as batch:
        batch.drop_column('planned_codes')
        batch.drop_column('visit_type')
