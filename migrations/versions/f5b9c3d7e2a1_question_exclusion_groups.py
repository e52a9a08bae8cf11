"""questions.exclusion_group: questions that ask the same thing; a paper holds at most one of a group

Revision ID: f5b9c3d7e2a1
Revises: e4a8b2c6d1f3
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'f5b9c3d7e2a1'
down_revision = 'e4a8b2c6d1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exclusion_group', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('exclusion_group')
