"""messages.answered_at: when an automatic answer (her case code, HELP, an alert confirmation) was
claimed for a message, so that of several deliveries or follow-ups racing only one answers her;
set for the messages already answered

Revision ID: a7d2e9c4b1f6
Revises: c9f3e7a2d5b8
Create Date: 2026-12-03 07:40:00.000000

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d2e9c4b1f6'
down_revision = 'c9f3e7a2d5b8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('messages', sa.Column('answered_at', sa.DateTime(), nullable=True))
    # A message that holds a case code or has a reply was answered: a repeat must not answer
    # again. Only recent ones are ever answered again (two days, core.followups.WITHIN), so only
    # they are marked: at a million messages the update stays small while it holds the table.
    since = datetime.utcnow() - timedelta(days=3)
    op.execute(sa.text(
        "UPDATE messages SET answered_at = received_at WHERE direction = 'in' "
        "AND received_at >= :since AND (case_code_hash IS NOT NULL OR id IN ("
        "SELECT in_reply_to_id FROM messages WHERE direction = 'out' AND in_reply_to_id IS NOT NULL "
        "AND received_at >= :since))").bindparams(since=since))


def downgrade():
    # Not a batch: rebuilding `messages` on SQLite would reflect `reports`, whose expression index
    # SQLite cannot reflect. SQLite drops a plain column itself (3.35+).
    op.drop_column('messages', 'answered_at')
