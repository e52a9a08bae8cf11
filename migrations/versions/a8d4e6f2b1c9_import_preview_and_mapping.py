"""Imports from Moodle, GIFT and Aiken: versions may hold sanitised HTML and be marked
"translation needed"; remembered category mappings; uploads waiting for confirmation

Revision ID: a8d4e6f2b1c9
Revises: f5b9c3d7e2a1
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a8d4e6f2b1c9'
down_revision = 'f5b9c3d7e2a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_format', sa.String(length=10), server_default='plain', nullable=False))
        batch_op.add_column(sa.Column('translation_needed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    # The editor could already save a version without English: mark those.
    op.execute("UPDATE question_versions SET translation_needed = "
               "(text_id = '' OR text_en = '' OR explanation_id = '' OR explanation_en = '')")
    op.create_table(
        'import_category_mappings',
        sa.Column('path', sa.String(length=255), nullable=False),
        sa.Column('topic', sa.String(length=30), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('path'),
    )
    op.create_table(
        'pending_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('upload', sa.LargeBinary(), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('plan', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_imports_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_imports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_imports_user_id'))
        batch_op.drop_index(batch_op.f('ix_pending_imports_expires_at'))
    op.drop_table('pending_imports')
    op.drop_table('import_category_mappings')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_column('translation_needed')
        batch_op.drop_column('text_format')
