"""Topics are listed by the name the reader sees, not by their English slug (forms, filters, cards, API)."""
import re

from flask_babel import force_locale

from app.extensions import db
from app.proposals.choices import all_topics
from app.proposals.models import Topic

# A topic whose slug sorts first but whose Korean name sorts last, and the reverse.
EXTRA = [Topic(slug="aaa-zoo", name_ko="흙길", name_en="Zoo paths"), Topic(slug="zzz-alley", name_ko="가로수", name_en="Avenue trees")]


def _add_extra_topics():
    db.session.add_all([Topic(slug=t.slug, name_ko=t.name_ko, name_en=t.name_en) for t in EXTRA])
    db.session.commit()


def _options(html: str, select_id: str) -> list[str]:
    block = html.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return [name.strip() for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', block) if value]


def test_the_filter_and_the_form_list_topics_by_their_korean_name_on_the_korean_site(client, login, make_user, choices):
    _add_extra_topics()
    listing = client.get("/proposals/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    names = _options(listing, "topic")
    assert names == sorted(names) and names[0] == "CCTV·안전조명" and names[1] == "가로수" and names[-1] == "흙길"
    login(make_user())
    form = client.get("/proposals/new", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    boxes = re.findall(r'name="topics" value="[^"]+"[^>]*> ([^<]+)</label>', form)
    assert boxes == names


def test_english_pages_and_the_api_sort_by_the_english_name(client, choices):
    _add_extra_topics()
    english = _options(client.get("/proposals/", headers={"Accept-Language": "en"}).get_data(as_text=True), "topic")
    assert english == sorted(english, key=str.casefold) and english[0] == "Avenue trees" and english[-1] == "Zoo paths"
    items = client.get("/api/v1/topics", headers={"Accept-Language": "ko"}).get_json()["items"]
    assert [i["name"] for i in items] == [t.name_ko for t in sorted(db.session.query(Topic), key=lambda t: t.name_ko)]
    assert items[1] == {"slug": "zzz-alley", "name": "가로수", "name_ko": "가로수", "name_en": "Avenue trees"}
    items = client.get("/api/v1/topics", headers={"Accept-Language": "en"}).get_json()["items"]
    assert items[0]["slug"] == "zzz-alley" and items[-1]["slug"] == "aaa-zoo"


def test_a_proposals_topics_are_shown_by_name(client, app, make_proposal, choices):
    _add_extra_topics()
    proposal = make_proposal(topics=("aaa-zoo", "zzz-alley", "parking"))
    page = client.get(f"/proposals/{proposal.id}", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert page.index(">가로수<") < page.index(">주차<") < page.index(">흙길<")
    body = client.get(f"/api/v1/proposals/{proposal.id}", headers={"Accept-Language": "en"}).get_json()
    assert body["topics"] == ["zzz-alley", "parking", "aaa-zoo"]  # Avenue trees, Parking, Zoo paths
    with app.test_request_context(), force_locale("ko"):
        assert [t.name for t in all_topics()][:2] == ["CCTV·안전조명", "가로수"]
