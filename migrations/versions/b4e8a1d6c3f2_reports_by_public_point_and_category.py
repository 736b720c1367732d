"""reports indexed by public point and by region centre (each by date), report categories by
category: a page of the newest reports in a small box or a rare category reads those reports, not
every report newest first

Revision ID: b4e8a1d6c3f2
Revises: f3b9d6e1a4c7
Create Date: 2026-12-02 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b4e8a1d6c3f2'
down_revision = 'f3b9d6e1a4c7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_status_public_point',
                              ['status', 'public_latitude', 'public_longitude', 'occurred_at'],
                              unique=False)
        batch_op.create_index('ix_reports_status_region_centre',
                              ['status', 'location_precision', 'region_id', 'occurred_at'],
                              unique=False)
    with op.batch_alter_table('report_categories', schema=None) as batch_op:
        batch_op.create_index('ix_report_categories_category_id', ['category_id', 'report_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('report_categories', schema=None) as batch_op:
        batch_op.drop_index('ix_report_categories_category_id')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_status_region_centre')
        batch_op.drop_index('ix_reports_status_public_point')
