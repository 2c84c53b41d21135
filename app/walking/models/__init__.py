"""The walking programme's models, split by concern; import them from here."""
from app.walking.models.participant import ParticipationStatus, WalkingParticipant  # noqa: F401
from app.walking.models.rules import DEFAULT_RULE, RewardRule  # noqa: F401
from app.walking.models.steps import COUNTING, REVIEW_LABELS, ReviewStatus, StepRecord, WalkingDay  # noqa: F401
from app.walking.models.missions import Mission, MissionCompletion, MissionKind  # noqa: F401
from app.walking.models.mileage import (  # noqa: F401
    CONVERSION_LABELS,
    Conversion,
    ConversionStatus,
    MileageEntry,
    MileageKind,
    Provider,
)
