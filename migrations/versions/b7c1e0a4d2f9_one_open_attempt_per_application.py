"""at most one attempt in progress per application (unique partial index)

Revision ID: b7c1e0a4d2f9
Revises: 3a44d679a27e
Create Date: 2026-12-03 12:00:00

Before the index can exist, extra attempts left in progress by earlier races are
closed as auto-submitted: the newest open attempt of a registration stays open.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1e0a4d2f9'
down_revision = '3a44d679a27e'
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'in_progress'")


def upgrade():
    op.execute(
        "UPDATE attempts SET state = 'submitted', auto_submitted = true, submitted_at = started_at "
        "WHERE state = 'in_progress' AND id NOT IN ("
        "SELECT max(id) FROM attempts WHERE state = 'in_progress' GROUP BY application_id)"
    )
    op.create_index('uq_attempts_one_open_per_application', 'attempts', ['application_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('uq_attempts_one_open_per_application', table_name='attempts')
