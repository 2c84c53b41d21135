"""The notifications page: newest first, paginated, marked read all at once."""
from app.extensions import db


def test_notifications_page_lists_newest_first_and_marks_all_read(client, make_user, login, count_queries):
    from app.notifications.services import notify

    user = make_user()
    for _ in range(25):
        notify([user.id], "role_granted", role="staff")
    db.session.commit()
    login(user)
    with count_queries() as queries:
        html = client.get("/notifications/").get_data(as_text=True)
    assert len(queries) <= 8
    assert html.count('class="unread"') == 20 and 'rel="next"' in html
    client.post("/notifications/read")
    assert 'class="unread"' not in client.get("/notifications/").get_data(as_text=True)
