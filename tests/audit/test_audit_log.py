"""The audit log: who did what and when, on the admin page in a fixed number of queries."""
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db


def test_audit_page_shows_who_did_what_and_when(client, make_user, login):
    admin, resident = make_user(["admin"], display_name="관리자갑"), make_user()
    login(admin)
    client.post(f"/admin/users/{resident.id}/roles", data={"role": "staff"})
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "관리자갑" in html and "role.grant" in html and f"#{resident.id}" in html
    entry = db.session.scalar(select(AuditEntry))
    assert f'<time datetime="{entry.created_at.isoformat()}Z">' in html


def test_audit_page_query_count_does_not_grow_with_entries(client, make_user, login, count_queries):
    from app import audit

    admin = make_user(["admin"])
    actors = [make_user(["staff"]) for _ in range(12)]
    for actor in actors:
        audit.record(actor, "test.action", "user", admin.id, note="x")
    db.session.commit()
    login(admin)
    with count_queries() as queries:
        html = client.get("/admin/audit").get_data(as_text=True)
    assert html.count("test.action") == 12
    assert len(queries) <= 8
