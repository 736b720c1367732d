"""alerts plugin: subscriptions and what they have not been told yet

Revision ID: 7a3c2e91f0b4
Revises:
Create Date: 2026-12-01 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "7a3c2e91f0b4"
down_revision = None
branch_labels = ("alerts",)
depends_on = "462b49f4c056"  # the core's reports and categories


def upgrade():
    op.create_table(
        "alert_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("via", sa.JSON(), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_sent_at", sa.DateTime(), nullable=True),
        sa.Column("confirm_due", sa.Boolean(), nullable=False),
        sa.Column("manage_token", sa.Text(), nullable=False),
        sa.Column("manage_token_hash", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"],
                                name=op.f("fk_alert_subscriptions_category_id_categories"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_subscriptions")),
        sa.UniqueConstraint("confirm_token_hash", name=op.f("uq_alert_subscriptions_confirm_token_hash")),
        sa.UniqueConstraint("manage_token_hash", name=op.f("uq_alert_subscriptions_manage_token_hash")),
    )
    with op.batch_alter_table("alert_subscriptions") as batch:
        batch.create_index(batch.f("ix_alert_subscriptions_address_hash"), ["address_hash"])
    op.create_table(
        "alert_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["alert_subscriptions.id"],
                                name=op.f("fk_alert_items_subscription_id_alert_subscriptions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_alert_items_report_id_reports"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_items")),
        sa.UniqueConstraint("subscription_id", "report_id", name="uq_alert_items_subscription_id"),
    )
    with op.batch_alter_table("alert_items") as batch:
        batch.create_index(batch.f("ix_alert_items_subscription_id"), ["subscription_id"])


def downgrade():
    op.drop_table("alert_items")
    op.drop_table("alert_subscriptions")
