"""badges: when a badge PDF last included a registration ("not yet printed")

Revision ID: 0022b
Revises: 0019
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0022b'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no default: badges printed before this revision are unknown, so everyone counts as not yet printed.
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_printed_at', eventreg.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('badge_printed_at')
