"""messages to attendees (issue #23): the organizer's messages, their outbox copies, the unsubscribe mark

New table and two nullable columns: nothing existing changes, and nobody starts as unsubscribed.

Revision ID: 0023b
Revises: 0027b
Create Date: 2026-12-07 04:04:26.686914

"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0023b'
down_revision = '0027b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seminar_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_seminar_message_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_seminar_message_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seminar_message'))
    )
    with op.batch_alter_table('seminar_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seminar_message_seminar_id'), ['seminar_id'], unique=False)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seminar_message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_seminar_message_id'), ['seminar_message_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_seminar_message_id_seminar_message'), 'seminar_message', ['seminar_message_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribed_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('unsubscribed_at')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_seminar_message_id_seminar_message'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_seminar_message_id'))
        batch_op.drop_column('seminar_message_id')

    with op.batch_alter_table('seminar_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seminar_message_seminar_id'))

    op.drop_table('seminar_message')
