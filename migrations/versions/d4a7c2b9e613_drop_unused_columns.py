"""drop columns nothing reads: categories.description_{az,ru,en} (category help text was never
shown) and reports.occurred_time_known (written, never read)

Revision ID: d4a7c2b9e613
Revises: c13a0e5f7b21
Create Date: 2026-12-01 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd4a7c2b9e613'
down_revision = 'c13a0e5f7b21'
branch_labels = None
depends_on = None

LANGUAGES = ('az', 'ru', 'en')


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        for language in LANGUAGES:
            batch_op.drop_column(f'description_{language}')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('occurred_time_known')


def downgrade():
    # Back as they were (NOT NULL), with the value every row had in practice.
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_time_known', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('categories', schema=None) as batch_op:
        for language in LANGUAGES:
            batch_op.add_column(sa.Column(f'description_{language}', sa.Text(), nullable=False,
                                          server_default=''))
