"""public counts by day (running totals, so a date filter on the map reads two rows per point) and
an index for the kind, category and verified filters of public counts

Revision ID: d13f0a7e4c21
Revises: d4a7c2b9e613
Create Date: 2026-12-01 05:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd13f0a7e4c21'
down_revision = 'd4a7c2b9e613'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_count_days',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('running', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'day', name=op.f('pk_public_count_days')),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.create_index('ix_public_counts_kind_categories_verified',
                              ['kind', 'categories', 'verified'], unique=False)

    # Count the reports already published, by day too (the app keeps both in step from now on).
    from core.publiccounts import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_public_counts_kind_categories_verified')
    op.drop_table('public_count_days')
