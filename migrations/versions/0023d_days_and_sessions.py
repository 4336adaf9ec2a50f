"""days and sessions (issue #23 item 4): a seminar's days, their sessions, places in sessions, check-in per day

New tables and nullable columns: a seminar without days is checked in as before, by registration.checked_in_at.

Revision ID: 0023d
Revises: 0023b
Create Date: 2026-12-07 05:48:32.984347

"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0023d'
down_revision = '0023b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('seminar_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_seminar_day_ends_after_start')),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_seminar_day_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seminar_day'))
    )
    with op.batch_alter_table('seminar_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seminar_day_seminar_id'), ['seminar_id'], unique=False)

    op.create_table('seminar_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('room', sa.String(length=200), nullable=False),
    sa.Column('starts_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('places_taken', sa.Integer(), nullable=False),
    sa.Column('translations', sa.JSON(), server_default='{}', nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_seminar_session_capacity_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_seminar_session_ends_after_start')),
    sa.CheckConstraint('places_taken >= 0 AND (capacity IS NULL OR places_taken <= capacity)', name=op.f('ck_seminar_session_places')),
    sa.ForeignKeyConstraint(['day_id'], ['seminar_day.id'], name=op.f('fk_seminar_session_day_id_seminar_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_seminar_session_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seminar_session'))
    )
    with op.batch_alter_table('seminar_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seminar_session_day_id'), ['day_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seminar_session_seminar_id'), ['seminar_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('day_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('checked_in_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('gate', sa.String(length=60), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_attendance_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['day_id'], ['seminar_day.id'], name=op.f('fk_attendance_day_id_seminar_day'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_attendance_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_attendance_seminar_id_seminar'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['seminar_session.id'], name=op.f('fk_attendance_session_id_seminar_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_seminar_day', ['seminar_id', 'day_id'], unique=False)
        batch_op.create_index('uq_attendance_day', ['registration_id', 'day_id'], unique=True, sqlite_where=sa.text('session_id IS NULL'), postgresql_where=sa.text('session_id IS NULL'))
        batch_op.create_index('uq_attendance_session', ['registration_id', 'session_id'], unique=True, sqlite_where=sa.text('session_id IS NOT NULL'), postgresql_where=sa.text('session_id IS NOT NULL'))

    op.create_table('session_place',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_session_place_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['seminar_session.id'], name=op.f('fk_session_place_session_id_seminar_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'registration_id', name=op.f('pk_session_place'))
    )
    with op.batch_alter_table('session_place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_place_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('check_in_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_check_in_event_session_id_seminar_session'), 'seminar_session', ['session_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_check_in_event_day_id_seminar_day'), 'seminar_day', ['day_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_offline_action_day_id_seminar_day'), 'seminar_day', ['day_id'], ['id'], ondelete='CASCADE')
        batch_op.create_foreign_key(batch_op.f('fk_offline_action_session_id_seminar_session'), 'seminar_session', ['session_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offline_action_session_id_seminar_session'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_offline_action_day_id_seminar_day'), type_='foreignkey')
        batch_op.drop_column('session_id')
        batch_op.drop_column('day_id')

    with op.batch_alter_table('check_in_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_check_in_event_day_id_seminar_day'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_check_in_event_session_id_seminar_session'), type_='foreignkey')
        batch_op.drop_column('session_id')
        batch_op.drop_column('day_id')

    with op.batch_alter_table('session_place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_place_registration_id'))

    op.drop_table('session_place')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('uq_attendance_session', sqlite_where=sa.text('session_id IS NOT NULL'), postgresql_where=sa.text('session_id IS NOT NULL'))
        batch_op.drop_index('uq_attendance_day', sqlite_where=sa.text('session_id IS NULL'), postgresql_where=sa.text('session_id IS NULL'))
        batch_op.drop_index('ix_attendance_seminar_day')

    op.drop_table('attendance')
    with op.batch_alter_table('seminar_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seminar_session_seminar_id'))
        batch_op.drop_index(batch_op.f('ix_seminar_session_day_id'))

    op.drop_table('seminar_session')
    with op.batch_alter_table('seminar_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seminar_day_seminar_id'))

    op.drop_table('seminar_day')
