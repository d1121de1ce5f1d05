"""Create the naturalisation plugin's cases, persons and handover appointments.

Revision ID: naturalisation_0001
Revises:
Created: 2026-11-23 15:35:02.560097
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = 'naturalisation_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('naturalisation_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('office', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_naturalisation_appointment'))
    )
    with op.batch_alter_table('naturalisation_appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_naturalisation_appointment_day'), ['day'], unique=False)
        batch_op.create_index('uq_naturalisation_appointment_slot', ['day', 'starts_at', 'office'], unique=True,
            postgresql_where=sa.text("state IN ('planned', 'done')"),
            sqlite_where=sa.text("state IN ('planned', 'done')"))

    op.create_table('naturalisation_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('ready_on', sa.Date(), nullable=False),
    sa.Column('family_group', sa.String(length=40), nullable=False),
    sa.Column('letter_language', sa.String(length=5), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', toolkit.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_naturalisation_case')),
    sa.UniqueConstraint('reference', name=op.f('uq_naturalisation_case_reference'))
    )
    with op.batch_alter_table('naturalisation_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_naturalisation_case_family_group'), ['family_group'], unique=False)

    op.create_table('naturalisation_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('date_of_birth', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['naturalisation_case.id'],
        name=op.f('fk_naturalisation_person_case_id_naturalisation_case'),
        ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_naturalisation_person'))
    )
    with op.batch_alter_table('naturalisation_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_naturalisation_person_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_naturalisation_person_state'), ['state'], unique=False)

    op.create_table('naturalisation_appointment_person',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['naturalisation_appointment.id'],
        name=op.f('fk_naturalisation_appointment_person_appointment_id_naturalisation_appointment'),
        ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['naturalisation_person.id'],
        name=op.f('fk_naturalisation_appointment_person_person_id_naturalisation_person'),
        ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appointment_id', 'person_id', name=op.f('pk_naturalisation_appointment_person'))
    )
    with op.batch_alter_table('naturalisation_appointment_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_naturalisation_appointment_person_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('naturalisation_appointment_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_naturalisation_appointment_person_person_id'))

    op.drop_table('naturalisation_appointment_person')
    with op.batch_alter_table('naturalisation_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_naturalisation_person_state'))
        batch_op.drop_index(batch_op.f('ix_naturalisation_person_case_id'))

    op.drop_table('naturalisation_person')
    with op.batch_alter_table('naturalisation_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_naturalisation_case_family_group'))

    op.drop_table('naturalisation_case')
    with op.batch_alter_table('naturalisation_appointment', schema=None) as batch_op:
        batch_op.drop_index('uq_naturalisation_appointment_slot',
            postgresql_where=sa.text("state IN ('planned', 'done')"),
            sqlite_where=sa.text("state IN ('planned', 'done')"))
        batch_op.drop_index(batch_op.f('ix_naturalisation_appointment_day'))

    op.drop_table('naturalisation_appointment')
