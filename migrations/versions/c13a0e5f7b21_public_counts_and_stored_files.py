"""public counts (published reports by public point, for the map), published reports indexed by
date, stored files (uploads in the database for several app servers)

Revision ID: c13a0e5f7b21
Revises: c7d2e1f0a9b3
Create Date: 2026-12-01 03:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c13a0e5f7b21'
down_revision = 'c7d2e1f0a9b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('location_precision', sa.String(length=16), nullable=False),
        sa.Column('public_latitude', sa.Float(), nullable=True),
        sa.Column('public_longitude', sa.Float(), nullable=True),
        sa.Column('region_id', sa.String(length=64), nullable=True),
        sa.Column('place_id', sa.String(length=64), nullable=True),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('categories', sa.Text(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_counts')),
        sa.UniqueConstraint('key', name=op.f('uq_public_counts_key')),
    )
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_counts_region_id'), ['region_id'], unique=False)

    op.create_table(
        'stored_files',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_files')),
    )

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_status_occurred_at', ['status', 'occurred_at'], unique=False)

    # Count the reports already published (the app keeps the counts in step from now on).
    from core.publiccounts import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_status_occurred_at')
    op.drop_table('stored_files')
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_counts_region_id'))
    op.drop_table('public_counts')
