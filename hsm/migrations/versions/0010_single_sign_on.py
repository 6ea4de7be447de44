"""accounts: single sign-on (the linked issuer and subject, password sign-in per account) and
single sign-on sessions (their own lifetime)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 13:20:00

Accounts that already have a password keep password sign-in until they are linked to the
identity provider; new accounts sign in through the provider unless an administrator marks
them local.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_issuer', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_subject', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('sso_linked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_sign_in', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_unique_constraint('uq_user_sso', ['sso_issuer', 'sso_subject'])
    user = sa.table('user', sa.column('password_hash', sa.String),
                    sa.column('password_sign_in', sa.Boolean))
    op.execute(user.update().where(user.c.password_hash.is_not(None))
               .values(password_sign_in=True))

    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_sso', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('via_sso')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_sso', type_='unique')
        batch_op.drop_column('password_sign_in')
        batch_op.drop_column('sso_linked_at')
        batch_op.drop_column('sso_subject')
        batch_op.drop_column('sso_issuer')
