"""staff session generation: logging out or "sign out everywhere" ends every copy of a session

Revision ID: e5b1c0d2f4a8
Revises: c7d4e2a91b3f
Create Date: 2026-12-01 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b1c0d2f4a8'
down_revision = 'c7d4e2a91b3f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
