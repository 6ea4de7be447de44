"""stats: published statistics snapshots (suppressed figures and the EDI diversity summary)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statistics_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('diversity', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_statistics_snapshot_published_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_snapshot')),
    sa.UniqueConstraint('through', name=op.f('uq_statistics_snapshot_through'))
    )
    with op.batch_alter_table('statistics_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statistics_snapshot_published_at'), ['published_at'], unique=False)


def downgrade():
    with op.batch_alter_table('statistics_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statistics_snapshot_published_at'))

    op.drop_table('statistics_snapshot')
