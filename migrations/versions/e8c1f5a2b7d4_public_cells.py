"""public counts by map cell at the band zooms (the map reads a few dozen cells at country and
region zooms instead of every public point), with their running totals by day; public counts
indexed by kind with latitude, longitude or precision and region (the points in a box, or
along its sides, and the reports drawn at a region's centre)

Revision ID: e8c1f5a2b7d4
Revises: d13f0a7e4c21
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e8c1f5a2b7d4'
down_revision = 'd13f0a7e4c21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'public_cells',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('zoom', sa.Integer(), nullable=False),
        sa.Column('cell_row', sa.Integer(), nullable=False),
        sa.Column('cell_col', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.String(length=64), nullable=True),
        sa.Column('verified', sa.Boolean(), nullable=False),
        sa.Column('categories', sa.Text(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('lat_sum', sa.BigInteger(), nullable=False),
        sa.Column('lon_sum', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_cells')),
        sa.UniqueConstraint('key', name=op.f('uq_public_cells_key')),
    )
    with op.batch_alter_table('public_cells', schema=None) as batch_op:
        batch_op.create_index('ix_public_cells_zoom_kind_row', ['zoom', 'kind', 'cell_row'], unique=False)
        batch_op.create_index('ix_public_cells_zoom_kind_col', ['zoom', 'kind', 'cell_col'], unique=False)
    op.create_table(
        'public_cell_days',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('running', sa.Integer(), nullable=False),
        sa.Column('running_lat', sa.BigInteger(), nullable=False),
        sa.Column('running_lon', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'day', name=op.f('pk_public_cell_days')),
        sqlite_with_rowid=False,
    )

    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        for name, columns in (('latitude', ['public_latitude']), ('longitude', ['public_longitude']),
                              ('precision', ['location_precision', 'region_id'])):
            batch_op.create_index(f'ix_public_counts_kind_{name}', ['kind', *columns], unique=False)

    # Count the reports already published into cells (the app keeps them in step from now on).
    from core.publiccounts import rebuild

    rebuild(op.get_bind())


def downgrade():
    with op.batch_alter_table('public_counts', schema=None) as batch_op:
        for name in ('latitude', 'longitude', 'precision'):
            batch_op.drop_index(f'ix_public_counts_kind_{name}')
    op.drop_table('public_cell_days')
    with op.batch_alter_table('public_cells', schema=None) as batch_op:
        batch_op.drop_index('ix_public_cells_zoom_kind_col')
        batch_op.drop_index('ix_public_cells_zoom_kind_row')
    op.drop_table('public_cells')
