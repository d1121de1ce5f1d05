"""Create the tables of questions, checklists and their versions.

Revision ID: checklists_0001
Revises:
Created: 2026-11-23 15:35:52.811998
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "checklists_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklists_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('label', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists_question')),
    sa.UniqueConstraint('key', name=op.f('uq_checklists_question_key'))
    )
    op.create_table('checklists_service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists_service')),
    sa.UniqueConstraint('slug', name=op.f('uq_checklists_service_slug'))
    )
    op.create_table('checklists_service_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['checklists_service.id'],
                            name=op.f('fk_checklists_service_version_service_id_checklists_service'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklists_service_version')),
    sa.UniqueConstraint('service_id', 'number', name=op.f('uq_checklists_service_version_service_id'))
    )


def downgrade():
    op.drop_table('checklists_service_version')
    op.drop_table('checklists_service')
    op.drop_table('checklists_question')
