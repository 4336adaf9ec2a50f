"""vip and live view: a VIP flag on categories and on registrations (issue #23 item 5)

Both false for what exists: nobody was a VIP before there was a way to say so.

Revision ID: 0023c
Revises: 0023
Create Date: 2026-12-09 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023c'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('category', 'registration'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('is_vip', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    for table in ('registration', 'category'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('is_vip')
