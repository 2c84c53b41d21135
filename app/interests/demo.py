"""Demo interests: 홍길동 follows his district, the transport field and the parking topic."""
from app.auth.services import find_user_by_email
from app.interests.models import InterestKind
from app.interests.services import follow


def seed_demo() -> None:
    resident = find_user_by_email("resident@maeul.kr")
    if resident is None:
        return
    for kind, key in ((InterestKind.DISTRICT, resident.district), (InterestKind.FIELD, "transport"),
                      (InterestKind.TOPIC, "parking")):
        follow(resident, kind, key)  # following again changes nothing
