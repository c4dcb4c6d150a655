"""The payment poster's workspace (issue 14): the 835 text a remittance came from, and bank deposits

``remittance_content`` keeps each recorded 835 transaction set (compressed), so that its EOB can be shown as the
payer wrote it, a quarantined one posted once resolved, and a held claim payment matched by hand. ``deposit`` is a
bank deposit as entered (date, amount, reference); ``deposit_item`` matches one cash receipt (a remittance's
payment, or a journal entry's cash such as a patient payment) to one deposit.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'remittance_content',
        sa.Column('remittance_id', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('received_by', sa.String(length=100), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id', 'remittance_id'], ['remittance.practice_id', 'remittance.id'],
                                name=op.f('fk_remittance_content_practice_id_remittance')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'],
                                name=op.f('fk_remittance_content_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_content')),
        sa.UniqueConstraint('remittance_id', name=op.f('uq_remittance_content_remittance_id')),
    )
    op.create_index(op.f('ix_remittance_content_practice_id'), 'remittance_content', ['practice_id'], unique=False)
    op.create_table(
        'deposit',
        sa.Column('deposit_date', sa.Date(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('reference', sa.String(length=80), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_deposit_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit')),
        sa.UniqueConstraint('practice_id', 'deposit_date', 'reference',
                            name=op.f('uq_deposit_practice_id_deposit_date_reference')),
        sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_deposit_practice_id_id')),
    )
    op.create_index(op.f('ix_deposit_practice_id'), 'deposit', ['practice_id'], unique=False)
    op.create_table(
        'deposit_item',
        sa.Column('deposit_id', sa.Integer(), nullable=False),
        sa.Column('remittance_id', sa.Integer(), nullable=True),
        sa.Column('journal_entry_id', sa.Integer(), nullable=True),
        sa.Column('amount_cents', sa.BigInteger(), nullable=False),
        sa.Column('matched_by', sa.String(length=100), nullable=False),
        sa.Column('matched_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.CheckConstraint('(remittance_id IS NULL) <> (journal_entry_id IS NULL)',
                           name=op.f('ck_deposit_item_one_receipt')),
        sa.ForeignKeyConstraint(['practice_id', 'deposit_id'], ['deposit.practice_id', 'deposit.id'],
                                name=op.f('fk_deposit_item_practice_id_deposit')),
        sa.ForeignKeyConstraint(['practice_id', 'journal_entry_id'],
                                ['journal_entry.practice_id', 'journal_entry.id'],
                                name=op.f('fk_deposit_item_practice_id_journal_entry')),
        sa.ForeignKeyConstraint(['practice_id', 'remittance_id'], ['remittance.practice_id', 'remittance.id'],
                                name=op.f('fk_deposit_item_practice_id_remittance')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_deposit_item_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deposit_item')),
        sa.UniqueConstraint('practice_id', 'journal_entry_id', name=op.f('uq_deposit_item_practice_id_journal_entry_id')),
        sa.UniqueConstraint('practice_id', 'remittance_id', name=op.f('uq_deposit_item_practice_id_remittance_id')),
    )
    op.create_index(op.f('ix_deposit_item_deposit_id'), 'deposit_item', ['deposit_id'], unique=False)
    op.create_index(op.f('ix_deposit_item_practice_id'), 'deposit_item', ['practice_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_deposit_item_practice_id'), table_name='deposit_item')
    op.drop_index(op.f('ix_deposit_item_deposit_id'), table_name='deposit_item')
    op.drop_table('deposit_item')
    op.drop_index(op.f('ix_deposit_practice_id'), table_name='deposit')
    op.drop_table('deposit')
    op.drop_index(op.f('ix_remittance_content_practice_id'), table_name='remittance_content')
    op.drop_table('remittance_content')
