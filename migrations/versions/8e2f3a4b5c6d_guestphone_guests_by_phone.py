"""guestphone: guests take part by a mobile number confirmed with a texted code

Revision ID: 8e2f3a4b5c6d
Revises: 1b7f98a4182e
Create Date: 2026-11-27 16:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '8e2f3a4b5c6d'
down_revision = '1b7f98a4182e'
branch_labels = None
depends_on = None

OPINION_OLD = 'user_id IS NOT NULL OR guest_email IS NOT NULL OR entered_by_id IS NOT NULL'
OPINION_NEW = ('user_id IS NOT NULL OR guest_email IS NOT NULL OR guest_phone_lookup IS NOT NULL '
               'OR entered_by_id IS NOT NULL')
RESPONSE_OLD = 'user_id IS NOT NULL OR guest_email IS NOT NULL'
RESPONSE_NEW = 'user_id IS NOT NULL OR guest_email IS NOT NULL OR guest_phone_lookup IS NOT NULL'


def upgrade():
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_phone_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('guest_phone_lookup', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_opinions_guest_phone_lookup'), ['guest_phone_lookup'], unique=False)
        batch_op.drop_constraint(batch_op.f('ck_opinions_opinion_has_source'), type_='check')
        batch_op.create_check_constraint('opinion_has_source', OPINION_NEW)

    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_phone_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('guest_phone_lookup', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_survey_responses_survey_id_guest_phone_lookup'),
                                          ['survey_id', 'guest_phone_lookup'])
        batch_op.drop_constraint(batch_op.f('ck_survey_responses_response_has_respondent'), type_='check')
        batch_op.create_check_constraint('response_has_respondent', RESPONSE_NEW)


def downgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_survey_responses_response_has_respondent'), type_='check')
        batch_op.create_check_constraint('response_has_respondent', RESPONSE_OLD)
        batch_op.drop_constraint(batch_op.f('uq_survey_responses_survey_id_guest_phone_lookup'), type_='unique')
        batch_op.drop_column('guest_phone_lookup')
        batch_op.drop_column('guest_phone_encrypted')

    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_opinions_opinion_has_source'), type_='check')
        batch_op.create_check_constraint('opinion_has_source', OPINION_OLD)
        batch_op.drop_index(batch_op.f('ix_opinions_guest_phone_lookup'))
        batch_op.drop_column('guest_phone_lookup')
        batch_op.drop_column('guest_phone_encrypted')
