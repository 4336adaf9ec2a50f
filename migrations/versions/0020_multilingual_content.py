"""multilingual content: a seminar's default language, and the other languages' texts of its content (issue #20)

Revision ID: 0020
Revises: 0022
Create Date: 2026-12-08 00:20:00

Existing seminars are in English (what the text columns held so far) and have no translations yet.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0022'
branch_labels = None
depends_on = None

TRANSLATED_TABLES = ('seminar', 'agenda_item', 'speaker', 'category')


def upgrade():
    with op.batch_alter_table('seminar', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_language', sa.String(length=10), server_default='en', nullable=False))
    for table in TRANSLATED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('translations', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later have it): batch mode would copy each table, and dropping the
    # old `category` fails while registrations point at it (the app's SQLite enforces foreign keys).
    for table in reversed(TRANSLATED_TABLES):
        op.drop_column(table, 'translations')
    op.drop_column('seminar', 'default_language')
