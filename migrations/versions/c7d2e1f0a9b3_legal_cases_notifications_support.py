"""legal cases, staff notifications, support directory and awareness pages

Revision ID: c7d2e1f0a9b3
Revises: e5b1c0d2f4a8
Create Date: 2026-12-01 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d2e1f0a9b3'
down_revision = 'e5b1c0d2f4a8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'legal_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('outcome', sa.String(length=32), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
        sa.Column('first_answer_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('follow_up_on', sa.Date(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('seen_message_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_legal_cases_report_id_reports'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_cases')),
        sa.UniqueConstraint('report_id', name=op.f('uq_legal_cases_report_id')),
    )
    with op.batch_alter_table('legal_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_cases_requested_at'), ['requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_legal_cases_state'), ['state'], unique=False)

    op.create_table(
        'staff_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_staff_notifications_report_id_reports'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_notifications_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notifications')),
    )
    with op.batch_alter_table('staff_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notifications_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_notifications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_notifications_user_id'), ['user_id'], unique=False)

    op.create_table(
        'support_resources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('region_id', sa.String(length=64), nullable=True),
        *[sa.Column(f'{name}_{lang}', sa.String(length=size), nullable=False)
          for name, size in (('name', 200), ('address', 300), ('hours', 200))
          for lang in ('az', 'ru', 'en')],
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('website', sa.String(length=300), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_support_resources')),
    )
    with op.batch_alter_table('support_resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_resources_region_id'), ['region_id'], unique=False)

    op.create_table(
        'awareness_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        *[sa.Column(f'title_{lang}', sa.String(length=200), nullable=False) for lang in ('az', 'ru', 'en')],
        *[sa.Column(f'{name}_{lang}', sa.Text(), nullable=False)
          for name in ('summary', 'body') for lang in ('az', 'ru', 'en')],
        sa.Column('pdf_stored_name', sa.String(length=80), nullable=True),
        sa.Column('pdf_size', sa.Integer(), nullable=True),
        sa.Column('published', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_awareness_pages')),
        sa.UniqueConstraint('slug', name=op.f('uq_awareness_pages_slug')),
    )

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_by_email', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))

    # Reports that already asked for legal help get their case, so the queue shows them.
    op.execute(
        "INSERT INTO legal_cases (report_id, state, requested_at, taken_at, version, updated_at, "
        "seen_message_id) SELECT id, CASE WHEN assigned_lawyer_id IS NULL THEN 'requested' "
        "ELSE 'taken' END, created_at, CASE WHEN assigned_lawyer_id IS NULL THEN NULL "
        "ELSE updated_at END, 1, created_at, 0 FROM reports "
        "WHERE wants_legal_help = " + ("1" if op.get_context().dialect.name == "sqlite" else "true")
    )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('notify_by_email')
    op.drop_table('awareness_pages')
    with op.batch_alter_table('support_resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_resources_region_id'))
    op.drop_table('support_resources')
    with op.batch_alter_table('staff_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_notifications_status'))
        batch_op.drop_index(batch_op.f('ix_staff_notifications_report_id'))
    op.drop_table('staff_notifications')
    with op.batch_alter_table('legal_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_cases_state'))
        batch_op.drop_index(batch_op.f('ix_legal_cases_requested_at'))
    op.drop_table('legal_cases')
