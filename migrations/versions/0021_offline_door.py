"""offline door: ticket signing keys, synced offline actions, walk-ins without e-mail

Revision ID: 0021
Revises: 0024
Create Date: 2026-12-07 00:40:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import eventreg.models.base
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0024'
branch_labels = None
depends_on = None

# Written out, not imported: a revision must build the same schema however the models change later.
ACTIVE_SQL = "status IN ('pending', 'confirmed', 'waitlisted')"
EMAIL_UNIQUE_SQL = "status IN ('pending', 'confirmed', 'waitlisted') AND email <> ''"


def upgrade():
    keys = op.create_table('ticket_signing_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('private_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('created_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_signing_key'))
    )
    op.create_table('offline_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('device_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('gate', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('undoes', sa.String(length=64), nullable=False),
    sa.CheckConstraint("kind IN ('check_in', 'undo', 'walk_in')", name=op.f('ck_offline_action_kind')),
    sa.CheckConstraint("outcome IN ('admitted', 'conflict', 'not_valid', 'undone', 'ignored')", name=op.f('ck_offline_action_outcome')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_offline_action_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_offline_action_seminar_id_seminar'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_offline_action_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_action')),
    sa.UniqueConstraint('device_id', 'nonce', name='uq_offline_action_device_nonce')
    )
    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.create_index('ix_offline_action_seminar_outcome', ['seminar_id', 'outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_action_registration_id'), ['registration_id'], unique=False)
    # Walk-ins may come without an e-mail address: the unique index covers only rows that have one.
    op.drop_index('uq_registration_active_email', table_name='registration')
    op.create_index('uq_registration_active_email', 'registration', ['seminar_id', 'email'], unique=True,
                    sqlite_where=sa.text(EMAIL_UNIQUE_SQL), postgresql_where=sa.text(EMAIL_UNIQUE_SQL))
    # The first signing key, so tickets issued from now on carry signed codes (later keys: flask rotate-ticket-key).
    private = Ed25519PrivateKey.generate()
    op.bulk_insert(keys, [{'private_key': private.private_bytes_raw(),
                           'public_key': private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
                           'created_at': datetime.now(UTC)}])


def downgrade():
    op.drop_index('uq_registration_active_email', table_name='registration')
    op.create_index('uq_registration_active_email', 'registration', ['seminar_id', 'email'], unique=True,
                    sqlite_where=sa.text(ACTIVE_SQL), postgresql_where=sa.text(ACTIVE_SQL))
    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_action_registration_id'))
        batch_op.drop_index('ix_offline_action_seminar_outcome')
    op.drop_table('offline_action')
    op.drop_table('ticket_signing_key')
