"""The labs' models, split by concern; import them from here.

Other packages (allowances, certificates) build on these names; keep them stable."""
from app.labs.models.lab import (  # noqa: F401
    GateNotMet,
    Lab,
    LabMode,
    LabStage,
    LabStageChange,
    lab_facilitators,
    lab_proposals,
)
from app.labs.models.membership import LabMembership, MemberGroup, MembershipStatus  # noqa: F401
from app.labs.models.session import Attendance, AttendanceMethod, LabSession, RsvpAnswer, SessionRsvp  # noqa: F401
from app.labs.models.workspace import (  # noqa: F401
    DataSet,
    KpiValue,
    PlanGoal,
    PlanTask,
    Praise,
    ProblemCard,
    ProblemEmpathy,
    Prototype,
    PrototypeFeedback,
    Resource,
    ResourceKind,
)
