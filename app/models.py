"""Imports every model so that metadata (Alembic, create_all) sees all tables."""
from app.audit.models import AuditEntry  # noqa: F401
from app.auth.models import AccessLog, ApiToken, Consent, User, UserRole  # noqa: F401
from app.notifications.models import Notification  # noqa: F401
from app.certificates.models import Certificate, CompletionRule  # noqa: F401
from app.labs.models import Attendance, Lab, LabMembership, LabSession, LabStageChange, SessionRsvp  # noqa: F401
from app.ledger.models import Allowance, AllowanceRule, BankAccount, Budget, LedgerEntry, PayoutBatch  # noqa: F401
from app.api.models import IdempotentResponse  # noqa: F401
from app.policies.models import Policy, PolicyFollow, PolicyStatusChange, PolicyStep, PolicyUpdate  # noqa: F401
from app.proposals.models import Field, Follow, OfficialAnswer, Proposal, ProposalSettings, Support, Topic  # noqa: F401
from app.comments.models import Comment  # noqa: F401
from app.moderation.models import Report  # noqa: F401
from app.consultations.models import (  # noqa: F401
    Consultation, ConsultationDocument, GuestCode, HearingRegistration, Opinion, OpinionTheme,
)
from app.surveys.models import (  # noqa: F401
    Survey, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse, SurveySection,
)
from app.committees.models import (  # noqa: F401
    AgendaItem, Committee, CommitteeMember, CommitteeOfficer, ItemVote, Meeting, MeetingAttendance, MeetingRequest,
    Recusal, RequestSignature,
)
from app.privacy.models import (  # noqa: F401
    BreachIncident, DeletionRequest, PersonalDataAccess, PrivacyPolicy, PurgeRun, RetainedRecord,
)
from app.walking.models import (  # noqa: F401
    Conversion, MileageEntry, Mission, MissionCompletion, RewardRule, StepRecord, WalkingDay, WalkingParticipant,
)
from app.storage import StoredFile  # noqa: F401
from app.interests.models import Interest  # noqa: F401
from app.social.models import SocialLogin  # noqa: F401
from app.intake.models import IntakeRecord  # noqa: F401
from app.phones.models import PhoneCode, UserPhone  # noqa: F401
from app.channels.models import ChannelPreference, Delivery  # noqa: F401
from app.names.models import DepartmentName  # noqa: F401
