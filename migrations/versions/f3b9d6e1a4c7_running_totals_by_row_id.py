"""running totals by day keyed by their row's id instead of its 64-character hash: a quarter of
the size, so a date filter's look-ups stay in memory at a million reports

Revision ID: f3b9d6e1a4c7
Revises: e8c1f5a2b7d4
Create Date: 2026-12-02 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b9d6e1a4c7'
down_revision = 'e8c1f5a2b7d4'
branch_labels = None
depends_on = None

# (table, its rows' table, the column for the row, the running totals)
TABLES = (
    ('public_count_days', 'public_counts', 'count_id', ('running',)),
    ('public_cell_days', 'public_cells', 'cell_id', ('running', 'running_lat', 'running_lon')),
)


def _running(name):
    kind = sa.Integer() if name == 'running' else sa.BigInteger()
    return sa.Column(name, kind, nullable=False)


def upgrade():
    for table, _rows, link, running in TABLES:
        op.drop_table(table)
        op.create_table(
            table,
            sa.Column(link, sa.Integer(), autoincrement=False, nullable=False),
            sa.Column('day', sa.Date(), nullable=False),
            *(_running(name) for name in running),
            sa.PrimaryKeyConstraint(link, 'day', name=op.f(f'pk_{table}')),
            sqlite_with_rowid=False,
        )

    # Count the reports already published again, by row id (the app keeps them in step from now on).
    from core.publiccounts import rebuild

    rebuild(op.get_bind())


def downgrade():
    for table, rows, link, running in TABLES:
        values = ', '.join(f'd.{name}' for name in running)
        op.execute(f'CREATE TABLE {table}_by_key AS SELECT r.key AS key, d.day AS day, {values} '
                   f'FROM {table} d JOIN {rows} r ON r.id = d.{link}')
        op.drop_table(table)
        op.create_table(
            table,
            sa.Column('key', sa.String(length=64), nullable=False),
            sa.Column('day', sa.Date(), nullable=False),
            *(_running(name) for name in running),
            sa.PrimaryKeyConstraint('key', 'day', name=op.f(f'pk_{table}')),
            sqlite_with_rowid=False,
        )
        names = ', '.join(('key', 'day', *running))
        op.execute(f'INSERT INTO {table} ({names}) SELECT {names} FROM {table}_by_key')
        op.drop_table(f'{table}_by_key')
