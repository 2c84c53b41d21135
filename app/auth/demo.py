"""Demo accounts of every role; their logins are in the README."""
from app.auth import services
from app.auth.models import Role

DEMO_PASSWORD = "maeul-demo-1234"
DEMO_USERS = [
    ("admin@maeul.kr", "관리자", [Role.ADMIN, Role.STAFF], True, "onyang1"),
    ("staff@maeul.kr", "김담당", [Role.STAFF], True, "onyang1"),
    ("facilitator@maeul.kr", "이진행", [Role.FACILITATOR], False, "baebang"),
    ("resident@maeul.kr", "홍길동", [], False, "onyang3"),
    ("resident2@maeul.kr", "박영희", [], False, "tangjeong"),
    ("resident3@maeul.kr", "최민수", [], False, "baebang"),
    ("senior@maeul.kr", "정순자", [], False, "onyang2"),
]



def seed_demo() -> None:
    for email, name, roles, employee, district in DEMO_USERS:
        if services.find_user_by_email(email) is None:
            services.create_user(email=email, password=DEMO_PASSWORD, display_name=name, roles=roles,
                                 is_city_employee=employee, district=district, birth_year=1975)
