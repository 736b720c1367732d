"""the public data's version (a row of channel_cursors, changed with every change to a published
report): /stats keeps its figures while it stays the same, and the API's Last-Modified is read from
it instead of from every report; set here from the reports already published

Revision ID: b8f4c2d7e1a9
Revises: a7d2e9c4b1f6
Create Date: 2026-12-03 15:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8f4c2d7e1a9'
down_revision = 'a7d2e9c4b1f6'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    # As core.publicdata.last_change read it until now: the reports published at some point.
    changed = connection.execute(sa.text(
        "SELECT max(updated_at) FROM reports WHERE status != 'pending' AND published_at IS NOT NULL")
    ).scalar()
    if changed is not None:
        connection.execute(sa.text(
            "INSERT INTO channel_cursors (channel, stream, value, updated_at) "
            "VALUES ('core', 'public-version', :value, :changed)"),
            {"value": secrets.token_hex(8), "changed": changed})


def downgrade():
    op.execute("DELETE FROM channel_cursors WHERE channel = 'core' AND stream = 'public-version'")
