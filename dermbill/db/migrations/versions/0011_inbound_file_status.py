"""inbound_file: every fetched file recorded as received first, then processed, skipped or quarantined (issue 12)

Until now a file got its row only after it was processed, so a file that stopped the run (an 835 with CLP04
'abc') and every file after it sat in the inbox with no record, and the next sync never looked at them. Now a
file is recorded ``received`` as soon as it is in the inbox, and ends ``processed``, ``skipped`` (its content was
processed before) or ``quarantined`` with its ``reason``. ``organization_id`` becomes nullable: a file that
cannot be read, or is addressed to no billing company, has none. The same content is still processed once per
billing company: the unique constraint becomes a partial unique index over processed rows, since a content may
now also have received, skipped and quarantined rows. ``file_name`` widens to 255 (a file system's longest name).
The rows there were are processed files.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 05:40:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

PROCESSED = sa.text("status = 'processed'")


def upgrade() -> None:
    with op.batch_alter_table('inbound_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False, server_default='processed'))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('processed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('file_name', existing_type=sa.String(length=200), type_=sa.String(length=255),
                              existing_nullable=False)
        batch_op.drop_constraint(op.f('uq_inbound_file_organization_id_content_hash'), type_='unique')
        batch_op.create_check_constraint(op.f('ck_inbound_file_status'),
                                         "status IN ('received', 'processed', 'skipped', 'quarantined')")
        batch_op.create_index(batch_op.f('ix_inbound_file_status'), ['status'], unique=False)
    op.execute("UPDATE inbound_file SET processed_at = received_at")
    with op.batch_alter_table('inbound_file', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
    op.create_index('uq_inbound_file_processed', 'inbound_file', ['organization_id', 'content_hash'], unique=True,
                    sqlite_where=PROCESSED, postgresql_where=PROCESSED)


def downgrade() -> None:
    # Only processed files had rows before: the others go (their files stay in the inbox).
    op.drop_index('uq_inbound_file_processed', table_name='inbound_file')
    op.execute("DELETE FROM inbound_file WHERE status <> 'processed' OR organization_id IS NULL")
    with op.batch_alter_table('inbound_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_file_status'))
        batch_op.drop_constraint(op.f('ck_inbound_file_status'), type_='check')
        batch_op.create_unique_constraint(op.f('uq_inbound_file_organization_id_content_hash'),
                                          ['organization_id', 'content_hash'])
        batch_op.alter_column('file_name', existing_type=sa.String(length=255), type_=sa.String(length=200),
                              existing_nullable=False)
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('processed_at')
        batch_op.drop_column('reason')
        batch_op.drop_column('status')
