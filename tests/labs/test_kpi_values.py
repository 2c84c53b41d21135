"""KPI values are finite numbers in range (page and API); a refused value leaves nothing behind."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.labs.models import LabStage
from app.labs.models import KpiValue

BAD_TEXT = ["nan", "NaN", "inf", "-Infinity", "1e999", "1e13", "-2e12", "abc", ""]
BAD_JSON = ['{"name": "민원", "unit": "건", "target": NaN, "actual": 1}',
            '{"name": "민원", "unit": "건", "target": 10, "actual": Infinity}',
            '{"name": "민원", "unit": "건", "target": 10, "actual": 1e999}',
            '{"name": "민원", "unit": "건", "target": 10, "actual": 1e13}',
            '{"name": "민원", "unit": "건", "target": "nan", "actual": 1}',
            '{"name": "민원", "unit": "건", "target": true, "actual": 1}',
            '{"name": {"a": 1}, "unit": "건", "target": 10, "actual": 1}']


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(KpiValue))


@pytest.fixture
def review_lab(make_lab, make_user):
    facilitator = make_user(roles=["facilitator"])
    return make_lab(facilitator, stage=LabStage.REVIEW), facilitator


@pytest.mark.parametrize("value", BAD_TEXT)
def test_the_page_refuses_a_value_that_is_not_a_finite_number_in_range(client, login, review_lab, value):
    lab, facilitator = review_lab
    login(facilitator)
    client.post(f"/labs/{lab.id}/kpis", data={"name": "민원", "unit": "건", "target": "10", "actual": value})
    assert _count() == 0
    assert client.get(f"/labs/{lab.id}").status_code == 200


@pytest.mark.parametrize("body", BAD_JSON)
def test_the_api_refuses_it_with_422_and_saves_nothing(client, auth_header, review_lab, body):
    lab, facilitator = review_lab
    response = client.post(f"/api/v1/labs/{lab.id}/kpis", data=body, content_type="application/json",
                           headers=auth_header(facilitator))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert _count() == 0
    listed = client.get(f"/api/v1/labs/{lab.id}/kpis")
    assert listed.status_code == 200 and listed.get_json() == {"items": []}


def test_extreme_but_valid_values_are_kept_and_listed_as_valid_json(client, auth_header, review_lab):
    lab, facilitator = review_lab
    headers = auth_header(facilitator)
    for target, actual in ((1e-300, 1e12), (-1e12, 1e12), (0, 5)):
        response = client.post(f"/api/v1/labs/{lab.id}/kpis", headers=headers,
                               json={"name": "민원", "unit": "건", "target": target, "actual": actual})
        assert response.status_code == 201, response.get_json()
    listed = client.get(f"/api/v1/labs/{lab.id}/kpis")
    assert listed.status_code == 200
    assert "Infinity" not in listed.get_data(as_text=True) and "NaN" not in listed.get_data(as_text=True)
    assert [item["percent_of_target"] for item in listed.get_json()["items"]] == [None, -100, None]
    assert client.get(f"/labs/{lab.id}").status_code == 200
