"""users.session_version: sign-out invalidates the session cookies issued before it

Revision ID: c3d9e2f1a7b4
Revises: b7c1e0a4d2f9
Create Date: 2026-12-03 12:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d9e2f1a7b4'
down_revision = 'b7c1e0a4d2f9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
