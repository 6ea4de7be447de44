"""case boards: a column of every centre read in order (the Safeguarding Director's board)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:15:00

"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.create_index('ix_case_record_stage_order', ['stage', 'stage_changed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_index('ix_case_record_stage_order')
