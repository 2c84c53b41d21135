"""The retention kinds for intake numbers and guest contacts: configurable, listed in the privacy notice,
counted in every purge run (the erasing itself is tested in tests/intake, tests/consultations, tests/surveys)."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.privacy.models import PurgeRun

NEW_COUNTS = ("intake_numbers_unclaimed", "intake_numbers_claimed", "consultation_contacts", "survey_guest_contacts")


def test_the_new_kinds_have_defaults_and_can_be_overridden():
    from config import DEFAULT_RETENTION_DAYS, _retention_days

    assert {k: DEFAULT_RETENTION_DAYS[k] for k in ("intake_unclaimed", "consultation_contacts",
                                                    "consultation_contacts_no_results", "survey_guest_contacts")} \
        == {"intake_unclaimed": 365, "consultation_contacts": 90, "consultation_contacts_no_results": 365,
            "survey_guest_contacts": 30}
    days = _retention_days("intake_unclaimed=180, survey_guest_contacts=7")
    assert (days["intake_unclaimed"], days["survey_guest_contacts"], days["consultation_contacts"]) == (180, 7, 90)
    with pytest.raises(RuntimeError):
        _retention_days("intake_unclaimed=soon")


def test_the_privacy_notice_lists_the_periods_in_force(client, app, monkeypatch):
    days = {**app.config["PRIVACY_RETENTION_DAYS"], "intake_unclaimed": 200, "consultation_contacts": 60,
            "consultation_contacts_no_results": 400, "survey_guest_contacts": 14}
    monkeypatch.setitem(app.config, "PRIVACY_RETENTION_DAYS", days)
    html = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "until you claim it, at most 200 days after it was entered" in html
    assert ("60 days after a consultation's results are published (400 days after its deadline if they never "
            "are); 14 days after a survey closes") in html
    korean = client.get("/privacy").get_data(as_text=True)
    assert "200일" in korean and "14일" in korean


def test_every_run_counts_the_new_kinds_and_staff_see_them(runner, client, make_user, login):
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0
    assert all(f"{name}: 0" in result.output for name in NEW_COUNTS), result.output
    run = db.session.scalar(select(PurgeRun))
    assert all(run.counts[name] == 0 for name in NEW_COUNTS)
    login(make_user(["admin"]))
    page = client.get("/admin/privacy/deletions")
    assert page.status_code == 200 and "intake_numbers_unclaimed=0" in page.get_data(as_text=True)
