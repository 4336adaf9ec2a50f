"""certificates (issue #22): per-seminar settings, signatories, issued certificates

New tables only; nothing existing changes.

Revision ID: 0022
Revises: 0022b
Create Date: 2026-12-07 03:21:17.049514

"""
from alembic import op
import sqlalchemy as sa

import eventreg.models.base


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0022b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('title_line', sa.JSON(), nullable=False),
    sa.Column('body_text', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Double(), nullable=True),
    sa.Column('category_ids', sa.JSON(), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('attendance_rule', sa.String(length=20), nullable=False),
    sa.Column('logo_png', sa.LargeBinary(), nullable=True),
    sa.Column('updated_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("attendance_rule IN ('any_day', 'every_day')", name=op.f('ck_certificate_settings_attendance_rule')),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_certificate_settings_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_settings')),
    sa.UniqueConstraint('seminar_id', name=op.f('uq_certificate_settings_seminar_id'))
    )
    op.create_table('certificate_signatory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=300), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint('slot BETWEEN 1 AND 3', name=op.f('ck_certificate_signatory_slot')),
    sa.ForeignKeyConstraint(['settings_id'], ['certificate_settings.id'], name=op.f('fk_certificate_signatory_settings_id_certificate_settings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_signatory')),
    sa.UniqueConstraint('settings_id', 'slot', name='uq_certificate_signatory_slot')
    )
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('edition', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('issued_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', eventreg.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_certificate_issued_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_certificate_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_certificate_revoked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_certificate_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code')),
    sa.UniqueConstraint('number', name=op.f('uq_certificate_number')),
    sa.UniqueConstraint('registration_id', 'edition', name='uq_certificate_registration_edition')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_seminar_id'), ['seminar_id'], unique=False)
        batch_op.create_index('uq_certificate_valid', ['registration_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_valid', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificate_seminar_id'))

    op.drop_table('certificate')
    op.drop_table('certificate_signatory')
    op.drop_table('certificate_settings')
