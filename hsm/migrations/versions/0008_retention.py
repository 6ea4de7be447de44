"""retention: a legal hold on reports, cases and Safe Contacts; when a report was marked for
information only (the end of its life, from which its retention period counts)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('safe_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('safe_contact', schema=None) as batch_op:
        batch_op.drop_column('legal_hold')
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('legal_hold')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('handled_at')
        batch_op.drop_column('legal_hold')
