"""stored files: the database backend of app/storage.py

Revision ID: c4a7e2d91b03
Revises: 5e4c0a7d2b19
Create Date: 2026-11-27 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2d91b03'
down_revision = '5e4c0a7d2b19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files'))
    )


def downgrade():
    op.drop_table('stored_files')
