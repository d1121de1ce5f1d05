"""notices and their texts

Revision ID: notices_0001
Revises:
Created: 2026-11-23 15:37:03.227570
"""

import sqlalchemy as sa
from alembic import op

import portal.db

revision = 'notices_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('starts_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_notice'))
    )
    with op.batch_alter_table('notices_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_notice_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_notice_state'), ['state'], unique=False)

    op.create_table('notices_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices_notice.id'], name=op.f('fk_notices_text_notice_id_notices_notice'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices_text')),
    sa.UniqueConstraint('notice_id', 'lang', name=op.f('uq_notices_text_notice_id'))
    )
    with op.batch_alter_table('notices_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_text_notice_id'), ['notice_id'], unique=False)



def downgrade():
    with op.batch_alter_table('notices_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_text_notice_id'))

    op.drop_table('notices_text')
    with op.batch_alter_table('notices_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_notice_state'))
        batch_op.drop_index(batch_op.f('ix_notices_notice_starts_at'))

    op.drop_table('notices_notice')
