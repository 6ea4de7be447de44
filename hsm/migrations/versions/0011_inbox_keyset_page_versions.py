"""performance: the inbox's keyset index, and the version counters of cached pages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('page_version',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_page_version'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_inbox')
        batch_op.create_index('ix_report_inbox_keyset', ['status', 'urgency', 'received_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_inbox_keyset')
        batch_op.create_index('ix_report_inbox', ['status', 'urgency', 'received_at'], unique=False)
    op.drop_table('page_version')
