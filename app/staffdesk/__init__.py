"""/staff: the work waiting for staff and facilitators, with counts linking to each filtered list, and the
count of it in the main menu (``staff_waiting()`` in every template)."""
from flask import Blueprint, Flask, g
from flask_login import current_user

bp = Blueprint("staffdesk", __name__, url_prefix="/staff")


def register(app: Flask) -> None:
    from app.staffdesk import routes  # noqa: F401
    from app.staffdesk.queries import waiting_work

    app.register_blueprint(bp)

    @app.context_processor
    def staff_menu():
        def staff_waiting() -> int | None:
            """The menu's count of waiting work, or None for someone with no queue (no link then)."""
            if not current_user.is_authenticated:
                return None
            if "staff_waiting" not in g:
                desk = waiting_work(current_user, with_jobs=False)
                g.staff_waiting = desk.total if desk.queues else None
            return g.staff_waiting

        return {"staff_waiting": staff_waiting}
