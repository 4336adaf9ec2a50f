"""erased figures: the report's student and organization breakdowns kept as counts when people are erased

Revision ID: 0024
Revises: 0020b
Create Date: 2026-12-07 00:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0020b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('erased_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seminar_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.CheckConstraint("dimension IN ('student', 'organization')", name=op.f('ck_erased_figure_dimension')),
    sa.CheckConstraint('registered >= 0 AND attended >= 0', name=op.f('ck_erased_figure_counts')),
    sa.ForeignKeyConstraint(['seminar_id'], ['seminar.id'], name=op.f('fk_erased_figure_seminar_id_seminar'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erased_figure')),
    sa.UniqueConstraint('seminar_id', 'dimension', 'label', 'level', name=op.f('uq_erased_figure_seminar_id'))
    )
    with op.batch_alter_table('erased_figure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erased_figure_seminar_id'), ['seminar_id'], unique=False)
    # Students erased before this revision lost their university and level; the report counted them under
    # "not given", and now counts erased students only through this table: keep them there, as they were.
    op.execute(
        "INSERT INTO erased_figure (seminar_id, dimension, label, level, registered, attended) "
        "SELECT r.seminar_id, 'student', '', '', COUNT(*), "
        "SUM(CASE WHEN r.checked_in_at IS NULL THEN 0 ELSE 1 END) "
        "FROM registration r JOIN category c ON c.id = r.category_id "
        "WHERE r.anonymised_at IS NOT NULL AND r.status = 'confirmed' AND c.is_student "
        "GROUP BY r.seminar_id"
    )


def downgrade():
    with op.batch_alter_table('erased_figure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erased_figure_seminar_id'))
    op.drop_table('erased_figure')
