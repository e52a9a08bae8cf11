"""proctor_checks: the liveness step's progress and verdict, and other accounts' reference photos of the same face

Revision ID: e4a8b2c6d1f3
Revises: c3d9e2f1a7b4
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e4a8b2c6d1f3'
down_revision = 'c3d9e2f1a7b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('proctor_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liveness_status', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('liveness', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('liveness_frames', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('liveness_started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('face_matches', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('proctor_checks', schema=None) as batch_op:
        batch_op.drop_column('face_matches')
        batch_op.drop_column('liveness_started_at')
        batch_op.drop_column('liveness_frames')
        batch_op.drop_column('liveness')
        batch_op.drop_column('liveness_status')
