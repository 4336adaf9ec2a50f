"""essential messages (issue #23 item 2): an organizer's message about a change to the seminar reaches everyone

One column, false for every message written before: those were sent as non-essential.

Revision ID: 0023e
Revises: 0023d
Create Date: 2026-12-07 07:07:50.371744

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023e'
down_revision = '0023d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seminar_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('essential', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('seminar_message', schema=None) as batch_op:
        batch_op.drop_column('essential')
