"""shared stories indexed by publication (partial: only the stories on the wall), so the story
wall and its feeds read the newest stories, not every published report

Revision ID: c9f3e7a2d5b8
Revises: b4e8a1d6c3f2
Create Date: 2026-12-02 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c9f3e7a2d5b8'
down_revision = 'b4e8a1d6c3f2'
branch_labels = None
depends_on = None

# The terms of ``core.models.report.shared_story``, as written for the query: SQLite reads a
# partial index only for a query that repeats its terms.
SHARED = sa.text("status = 'published' AND consent_publish IS {true} AND public_story IS NOT NULL "
                 "AND public_story != ''")


def upgrade():
    true = "true" if op.get_bind().dialect.name == "postgresql" else "1"
    op.create_index('ix_reports_shared_stories', 'reports',
                    [sa.text('coalesce(published_at, created_at)'), 'id'],
                    sqlite_where=sa.text(SHARED.text.format(true=true)),
                    postgresql_where=sa.text(SHARED.text.format(true=true)))


def downgrade():
    op.drop_index('ix_reports_shared_stories', table_name='reports')
