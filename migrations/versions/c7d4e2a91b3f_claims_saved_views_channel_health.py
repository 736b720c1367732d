"""claims on messages and reports, saved views, channel health

Revision ID: c7d4e2a91b3f
Revises: b7e2c41d9a10
Create Date: 2026-12-01 03:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d4e2a91b3f'
down_revision = 'b7e2c41d9a10'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('messages', 'reports'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('claimed_at', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('claim_expires_at', sa.DateTime(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_claimed_by_id'), ['claimed_by_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_claimed_by_id_users'), 'users',
                                        ['claimed_by_id'], ['id'], ondelete='SET NULL')

    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('filters', sa.String(length=1000), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_views_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_views')),
    )
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_views_user_id'), ['user_id'], unique=False)

    op.create_table(
        'channel_health',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('gateway', sa.String(length=32), nullable=False),
        sa.Column('last_received_at', sa.DateTime(), nullable=True),
        sa.Column('last_ok_at', sa.DateTime(), nullable=True),
        sa.Column('last_error_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('alerted_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_health')),
        sa.UniqueConstraint('channel', 'gateway', name='uq_channel_health'),
    )


def downgrade():
    op.drop_table('channel_health')
    with op.batch_alter_table('saved_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_views_user_id'))
    op.drop_table('saved_views')
    for table in ('reports', 'messages'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_claimed_by_id_users'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_claimed_by_id'))
            batch_op.drop_column('claim_expires_at')
            batch_op.drop_column('claimed_at')
            batch_op.drop_column('claimed_by_id')
