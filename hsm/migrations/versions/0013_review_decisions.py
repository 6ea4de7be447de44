"""review (16): the request's details, paper review or new hearing, and the decision's terms

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_review_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_form', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('review_form_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hearing_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hearing_arrangements', sa.Text(), nullable=True))
    with op.batch_alter_table('letters_review_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('concerns', sa.JSON(), server_default='[]',
                                      nullable=False))
        batch_op.add_column(sa.Column('new_finding', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('previous_final_decision_on', sa.Date(), nullable=True))
    op.create_table('letters_review_sanction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_decision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('affects_reporting_party', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['review_decision_id'], ['letters_review_decision.id'], name=op.f('fk_letters_review_sanction_review_decision_id_letters_review_decision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters_review_sanction'))
    )
    with op.batch_alter_table('letters_review_sanction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_review_sanction_review_decision_id'), ['review_decision_id'], unique=False)


def downgrade():
    with op.batch_alter_table('letters_review_sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letters_review_sanction_review_decision_id'))
    op.drop_table('letters_review_sanction')
    with op.batch_alter_table('letters_review_decision', schema=None) as batch_op:
        batch_op.drop_column('previous_final_decision_on')
        batch_op.drop_column('new_finding')
        batch_op.drop_column('concerns')
    with op.batch_alter_table('case_review_request', schema=None) as batch_op:
        batch_op.drop_column('hearing_arrangements')
        batch_op.drop_column('hearing_on')
        batch_op.drop_column('review_form_on')
        batch_op.drop_column('review_form')
        batch_op.drop_column('details')
