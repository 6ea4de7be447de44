"""investigation report: the recommendation under the staff disciplinary policy (13.18)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 17:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_investigation_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_recommendation', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('case_investigation_report', schema=None) as batch_op:
        batch_op.drop_column('staff_recommendation')
