"""public counts by point (without place names or verification) and by area (without points or
verification), with their running totals by day: the map's points and its choropleth read a third
and a tenth of the rows, so a date filter looks up fewer running totals

Revision ID: c5e9a3f1d7b2
Revises: b8f4c2d7e1a9
Create Date: 2026-12-03 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e9a3f1d7b2'
down_revision = 'b8f4c2d7e1a9'
branch_labels = None
depends_on = None

# (table, its columns besides id, key, kind, categories and count, its indexes, its days' table and link)
TABLES = (
    ('public_point_counts',
     (sa.Column('location_precision', sa.String(length=16), nullable=False),
      sa.Column('public_latitude', sa.Float(), nullable=True),
      sa.Column('public_longitude', sa.Float(), nullable=True),
      sa.Column('region_id', sa.String(length=64), nullable=True)),
     (('categories', ['categories']), ('latitude', ['public_latitude']),
      ('longitude', ['public_longitude']), ('precision', ['location_precision', 'region_id'])),
     'public_point_count_days', 'point_id'),
    ('public_area_counts',
     (sa.Column('location_precision', sa.String(length=16), nullable=False),
      sa.Column('region_id', sa.String(length=64), nullable=True),
      sa.Column('place_id', sa.String(length=64), nullable=True)),
     (('categories', ['categories']),),
     'public_area_count_days', 'area_id'),
)


def upgrade():
    for table, columns, indexes, days, link in TABLES:
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('key', sa.String(length=64), nullable=False),
            sa.Column('kind', sa.String(length=8), nullable=False),
            *columns,
            sa.Column('categories', sa.Text(), nullable=False),
            sa.Column('count', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
            sa.UniqueConstraint('key', name=op.f(f'uq_{table}_key')),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, indexed in indexes:
                batch_op.create_index(f'ix_{table}_kind_{name}', ['kind', *indexed], unique=False)
        op.create_table(
            days,
            sa.Column(link, sa.Integer(), autoincrement=False, nullable=False),
            sa.Column('day', sa.Date(), nullable=False),
            sa.Column('running', sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint(link, 'day', name=op.f(f'pk_{days}')),
            sqlite_with_rowid=False,
        )

    # Count the reports already published again, into these too (the app keeps them in step).
    from core.publiccounts import rebuild

    rebuild(op.get_bind())


def downgrade():
    for table, _columns, _indexes, days, _link in reversed(TABLES):
        op.drop_table(days)
        op.drop_table(table)
