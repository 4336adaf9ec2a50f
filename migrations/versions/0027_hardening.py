"""hardening (issue #27): staff logins kept on the server, Idempotency-Key answers

Revision ID: 0027
Revises: 0021
Create Date: 2026-12-07 00:30:00

"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    # Sessions made before this revision name no login ("id:version"): they end, and staff log in once more.
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_staff_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_staff_session_key_hash'))
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)

    op.create_table('idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('request', sa.String(length=300), nullable=False),
    sa.Column('created_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_key')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_idempotency_key_scope'))
    )


def downgrade():
    op.drop_table('idempotency_key')
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))
    op.drop_table('staff_session')
