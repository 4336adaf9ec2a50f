"""Search keys that cross scripts, each name's alphabetical sort key (issue #20, items 5 and 6), and the
door's searches counted per account and hour (issue #27, item 3).

Revision ID: 0020b
Revises: 0018

Every registration's `search_text` is rebuilt with eventreg.names.search_key (Kazakh letters folded, Cyrillic
romanised, pinyin of Chinese names) and its new `name_sort_key` filled, in batches, so existing people are
found and sorted like new ones.
"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base

from eventreg.names import search_key, sort_key

revision = '0020b'
down_revision = '0018'
branch_labels = None
depends_on = None

BATCH = 500

_registration = sa.table(
    'registration',
    sa.column('id', sa.Integer), sa.column('full_name', sa.String), sa.column('email', sa.String),
    sa.column('organization', sa.String), sa.column('search_text', sa.String), sa.column('name_sort_key', sa.Text),
)


def upgrade():
    op.create_table('door_search_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('hour', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_door_search_tally_seminar_id_seminar'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_door_search_tally_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_search_tally')),
    sa.UniqueConstraint('user_id', 'seminar_id', 'hour', name=op.f('uq_door_search_tally_user_id'))
    )
    with op.batch_alter_table('door_search_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_search_tally_seminar_id'), ['seminar_id'], unique=False)
    op.add_column('registration', sa.Column('name_sort_key', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    r = _registration.c
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(r.id, r.full_name, r.email, r.organization).where(r.id > last_id).order_by(r.id).limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            _registration.update().where(r.id == sa.bindparam('row_id')).values(
                search_text=sa.bindparam('key'), name_sort_key=sa.bindparam('sort')),
            [{'row_id': row.id, 'key': search_key(row.full_name, row.email, row.organization),
              'sort': sort_key(row.full_name)} for row in rows],
        )
        last_id = rows[-1].id


def downgrade():
    with op.batch_alter_table('registration') as batch:
        batch.drop_column('name_sort_key')
    op.drop_table('door_search_tally')
