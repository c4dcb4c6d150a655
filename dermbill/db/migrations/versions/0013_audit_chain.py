"""audit_event: a hash chain (sequence, previous_hash, row_hash), with the source and client address (issue 13)

Each audit event carries a gap-free ``sequence`` and the hash of the event before it; ``row_hash`` covers every
other column (dermbill.core.audit_chain), so ``dermbill audit verify`` names the first event that was changed,
deleted or inserted. ``audit_chain_head`` holds the last sequence and hash: appends lock it, so concurrent writers
keep one chain. Existing events are chained here in id order, with the source 'unrecorded'.

The append-only triggers refuse the UPDATE that fills the new columns: they are suspended for it (dropped on
SQLite, disabled on PostgreSQL) and put back. On SQLite, making the columns NOT NULL rebuilds the table, which
drops its triggers too; they are created again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:00:00
"""
from alembic import op
import sqlalchemy as sa

from dermbill.core.audit_chain import GENESIS, event_hash
from dermbill.db import ledger_guards
from dermbill.db.base import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UNRECORDED_SOURCE = 'unrecorded'
BATCH = 5000

events = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()), sa.column('organization_id', sa.Integer()), sa.column('practice_id', sa.Integer()),
    sa.column('occurred_at', UTCDateTime()), sa.column('actor', sa.String()), sa.column('action', sa.String()),
    sa.column('entity_type', sa.String()), sa.column('entity_id', sa.Integer()), sa.column('detail', sa.JSON()),
    sa.column('sequence', sa.Integer()), sa.column('previous_hash', sa.String()), sa.column('row_hash', sa.String()),
    sa.column('source', sa.String()), sa.column('address', sa.String()),
)


def _chain_existing_events(connection: sa.Connection) -> tuple[int, str]:
    sequence, previous, last_id = 0, GENESIS, 0
    columns = [c for c in events.c if c.name not in ('sequence', 'previous_hash', 'row_hash', 'source', 'address')]
    while True:
        rows = connection.execute(sa.select(*columns).where(events.c.id > last_id)
                                  .order_by(events.c.id).limit(BATCH)).mappings().all()
        for row in rows:
            sequence += 1
            fields = {**row, 'sequence': sequence, 'source': UNRECORDED_SOURCE, 'address': None}
            row_hash = event_hash(fields, previous)
            connection.execute(events.update().where(events.c.id == row['id']).values(
                sequence=sequence, previous_hash=previous, row_hash=row_hash, source=UNRECORDED_SOURCE))
            previous = row_hash
        if len(rows) < BATCH:
            return sequence, previous
        last_id = rows[-1]['id']


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == 'postgresql'
    head = op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('last_sequence', sa.Integer(), nullable=False),
        sa.Column('last_hash', sa.String(length=64), nullable=False),
        sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
    if postgresql:
        op.execute('ALTER TABLE audit_event DISABLE TRIGGER trg_audit_event_append_only')
    else:
        op.execute('DROP TRIGGER IF EXISTS trg_audit_event_no_update')
    last_sequence, last_hash = _chain_existing_events(connection)
    if postgresql:
        # Appends take ids from the column's sequence (dermbill.db.audit_trail): it must be past every id there.
        id_sequence = "pg_get_serial_sequence('audit_event', 'id')"
        highest = connection.execute(sa.text('SELECT MAX(id) FROM audit_event')).scalar()
        issued = connection.execute(sa.text(f'SELECT pg_sequence_last_value({id_sequence}::regclass)')).scalar()
        if highest is not None and highest > (issued or 0):
            connection.execute(sa.text(f'SELECT setval({id_sequence}, :highest)'), {'highest': highest})
    op.bulk_insert(head, [{'id': 1, 'last_sequence': last_sequence, 'last_hash': last_hash}])
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        for name in ('sequence', 'previous_hash', 'row_hash', 'source'):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_index('uq_audit_event_sequence', ['sequence'], unique=True)
    if postgresql:
        op.execute('ALTER TABLE audit_event ENABLE TRIGGER trg_audit_event_append_only')
    ledger_guards.reinstall_sqlite_guards(connection, 'audit_event')


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('uq_audit_event_sequence')
        batch_op.drop_column('address')
        batch_op.drop_column('source')
        batch_op.drop_column('row_hash')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('sequence')
    ledger_guards.reinstall_sqlite_guards(connection, 'audit_event')
    op.drop_table('audit_chain_head')
