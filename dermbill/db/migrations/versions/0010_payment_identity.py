"""remittance: a payment is its payer and trace (TRN02), posted once; conflicts kept for a person (issue 12)

Until now the key of a remittance included a hash of its content, so the same payment sent again with any byte
changed was posted again. The trace's company ID (TRN03) and division (TRN04) are kept; a partial unique index
allows one posted remittance per payer and TRN02; a second 835 of the same payment with other content is
recorded as a ``conflict`` (what it says, ``summary``, against the posted one, ``conflicts_with_id``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

POSTED = sa.text("status = 'posted'")


def upgrade() -> None:
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trace_originator', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('trace_reference', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('summary', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('conflicts_with_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolved', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(op.f('ck_remittance_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_remittance_status'), "status IN ('posted', 'quarantined', 'conflict')")
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.alter_column('trace_originator', server_default=None)
        batch_op.alter_column('trace_reference', server_default=None)
        batch_op.alter_column('resolved', server_default=None)
    op.create_index('uq_remittance_payment_posted', 'remittance',
                    ['practice_id', 'payer_identifier', 'trace_number'],
                    unique=True, sqlite_where=POSTED, postgresql_where=POSTED)


def downgrade() -> None:
    op.drop_index('uq_remittance_payment_posted', table_name='remittance')
    op.execute("DELETE FROM remittance WHERE status = 'conflict'")
    with op.batch_alter_table('remittance', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_remittance_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_remittance_status'), "status IN ('posted', 'quarantined')")
        batch_op.drop_column('resolved')
        batch_op.drop_column('conflicts_with_id')
        batch_op.drop_column('summary')
        batch_op.drop_column('trace_reference')
        batch_op.drop_column('trace_originator')
