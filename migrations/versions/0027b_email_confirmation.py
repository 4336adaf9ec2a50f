"""e-mail confirmation (issue #27): a seminar may hold public signups until their address is confirmed

Revision ID: 0027b
Revises: 0023c
Create Date: 2026-12-08 00:00:00

Only nullable columns: existing seminars do not confirm addresses, and existing registrations hold nothing
(a NULL `hold_expires_at` means no hold), so no row needs a value.
"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0027b'
down_revision = '0023c'
branch_labels = None
depends_on = None

# Written out, not imported: a revision must build the same schema however the models change later.
HOLD_SQL = "hold_expires_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmation_hours', sa.Integer(), nullable=True))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', eventreg.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('hold_expires_at', eventreg.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.create_index('ix_registration_hold', ['hold_expires_at'], unique=False,
                              sqlite_where=sa.text(HOLD_SQL), postgresql_where=sa.text(HOLD_SQL))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_hold', sqlite_where=sa.text(HOLD_SQL),
                            postgresql_where=sa.text(HOLD_SQL))
        batch_op.drop_column('hold_expires_at')
        batch_op.drop_column('email_confirmed_at')
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.drop_column('email_confirmation_hours')
