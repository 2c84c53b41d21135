"""Community-centre staff take part on a resident's behalf; the resident claims it once with their number."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import User
from app.consultations.models import Opinion
from app.extensions import db
from app.intake import permissions
from app.intake.models import IntakeChannel, IntakeKind, IntakeRecord
from app.labs.models import LabMembership, MembershipStatus
from app.privacy.models import PersonalDataAccess
from app.proposals.models import Proposal
from tests.intake.conftest import NUMBER, PHONE, proposal_form, resident_form

EN = {"Accept-Language": "en"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- permissions ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("roles, allowed", [
    ((), False), (("facilitator",), False), (("redeemer",), False),
    (("intake",), True), (("staff",), True), (("admin",), True),
])
def test_who_may_enter_for_a_resident(make_user, roles, allowed):
    user = make_user(roles=roles)
    assert all(permissions.can_enter(user, kind) is allowed for kind in IntakeKind)
    assert permissions.can_use_intake(user) is allowed
    assert permissions.can_see_all_records(user) is bool({"staff", "admin"} & set(roles))


def test_nobody_enters_anything_logged_out():
    from flask_login import AnonymousUserMixin

    assert not permissions.can_use_intake(AnonymousUserMixin())


def test_centre_staff_see_only_what_they_entered(make_user, centre, choices, client, login):
    other_centre = make_user(roles=["intake"])
    login(centre)
    client.post("/intake/proposal", data=proposal_form())
    record = db.session.scalar(select(IntakeRecord))
    assert permissions.can_view_record(centre, record) and not permissions.can_view_record(other_centre, record)
    assert permissions.can_view_record(make_user(roles=["staff"]), record)


# --- entering ---------------------------------------------------------------------------------------------

def test_centre_staff_enter_a_proposal_marked_with_channel_staff_and_consent(client, login, centre, choices):
    login(centre)
    response = client.post("/intake/proposal", data=proposal_form(channel="paper"), headers=EN)
    assert response.status_code == 302
    record = db.session.scalar(select(IntakeRecord))
    assert record.kind is IntakeKind.PROPOSAL and record.channel is IntakeChannel.PAPER
    assert record.entered_by_id == centre.id and record.consent_privacy and record.consent_texts
    assert record.consent_note == "전화로 낭독 후 동의" and record.policy_version
    assert NUMBER not in record.phone_encrypted and len(record.phone_lookup) == 64
    proposal = db.session.get(Proposal, record.proposal_id)
    holder = db.session.get(User, record.holder_id)
    assert proposal.author_id == holder.id and holder.display_name == "정순자" and not holder.active
    assert proposal.district == "onyang1" and [t.slug for t in proposal.topics] == ["walking"]
    detail = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "010-2345-6789" in detail and "By phone" not in detail and "On paper" in detail
    assert centre.display_name in detail
    # Seeing the resident's number is logged for the privacy officer.
    assert count(PersonalDataAccess) == 1
    listing = client.get("/intake/", headers=EN).get_data(as_text=True)
    assert proposal.title in listing and "Not yet" in listing


@pytest.mark.parametrize("change, field, message", [
    ({"consent_privacy": ""}, "consent_privacy", "consent to the collection of their name"),
    ({"phone": "02-123-4567"}, "phone", "Enter a mobile phone number"),
    ({"birth_year": str(date.today().year - 9)}, "guardian_name", "under 14 need a guardian"),
    ({"resident_name": ""}, "resident_name", "name."),
    ({"channel": "fax"}, "channel", "Not a valid choice"),
])
def test_refused_intake_keeps_the_input_and_saves_nothing(client, login, centre, choices, change, field, message):
    login(centre)
    response = client.post("/intake/proposal", data=proposal_form(**change), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert "경로당 앞 횡단보도 신호 연장" in html  # what was typed stays
    assert count(IntakeRecord) == 0 and count(Proposal) == 0 and count(User) == 1


def test_residents_and_visitors_cannot_use_intake(client, login, make_user, choices):
    assert client.get("/intake/").status_code == 302
    login(make_user())
    assert client.get("/intake/").status_code == 403
    assert client.post("/intake/proposal", data=proposal_form()).status_code == 403
    assert count(Proposal) == 0


def test_an_opinion_is_entered_on_the_consultation_without_an_account(client, login, centre, consultation):
    login(centre)
    response = client.post("/intake/opinion", data={**resident_form(channel="in_person"),
                                                    "consultation_id": consultation.id,
                                                    "body": "노선 개편 전에 경로당 주민 설명회를 열어 주세요.",
                                                    "written_on": date.today().isoformat()})
    assert response.status_code == 302
    opinion = db.session.scalar(select(Opinion))
    assert opinion.user_id is None and opinion.entered_by_id == centre.id and opinion.phone == PHONE
    assert opinion.channel.value == "paper" and opinion.name == "정순자"
    record = db.session.scalar(select(IntakeRecord))
    assert record.opinion_id == opinion.id and record.holder_id is None


def test_an_opinion_for_a_missing_consultation_is_refused(client, login, centre, consultation):
    login(centre)
    response = client.post("/intake/opinion", data={**resident_form(), "consultation_id": consultation.id + 50,
                                                    "body": "의견", "written_on": date.today().isoformat()},
                           headers=EN)
    assert response.status_code == 422 and "Choose the consultation." in response.get_data(as_text=True)
    assert count(Opinion) == 0 and count(IntakeRecord) == 0


def test_a_lab_application_is_entered_for_the_resident(client, login, centre, lab):
    login(centre)
    response = client.post("/intake/lab-application", data={
        **resident_form(), "lab_id": lab.id, "group": "citizen", "motivation": "스마트폰으로 손주와 영상통화를 하고 싶어요."})
    assert response.status_code == 302
    membership = db.session.scalar(select(LabMembership))
    record = db.session.scalar(select(IntakeRecord))
    assert membership.user_id == record.holder_id and membership.status is MembershipStatus.APPLIED


# --- claiming ----------------------------------------------------------------------------------------------

@pytest.fixture
def three_entered(client, login, centre, choices, consultation, lab):
    login(centre)
    client.post("/intake/proposal", data=proposal_form())
    client.post("/intake/opinion", data={**resident_form(), "consultation_id": consultation.id,
                                         "body": "노선 개편 의견입니다.", "written_on": date.today().isoformat()})
    client.post("/intake/lab-application", data={**resident_form(), "lab_id": lab.id, "group": "citizen",
                                                 "motivation": "스마트폰을 배우고 싶습니다."})
    client.post("/logout")
    assert count(IntakeRecord) == 3
    return list(db.session.scalars(select(IntakeRecord).order_by(IntakeRecord.id)))


def test_the_resident_claims_everything_once_with_a_verified_number(client, login, make_user, three_entered,
                                                                    last_code):
    resident = make_user(display_name="정순자")
    login(resident)
    page = client.get("/intake/claim", headers=EN)
    assert page.status_code == 200 and "Send me a code" in page.get_data(as_text=True)
    sent = client.post("/intake/claim/code", data={"phone": PHONE}, headers=EN)
    assert sent.status_code == 200 and "a code is on its way" in sent.get_data(as_text=True)
    response = client.post("/intake/claim", data={"claim-phone": PHONE, "claim-code": last_code(NUMBER)},
                           headers=EN, follow_redirects=True)
    assert "3 contributions are now in your account." in response.get_data(as_text=True)
    proposal_id, opinion_id, membership_id = (three_entered[0].proposal_id, three_entered[1].opinion_id,
                                              three_entered[2].membership_id)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal_id).author_id == resident.id
    assert db.session.get(Opinion, opinion_id).user_id == resident.id
    assert db.session.get(LabMembership, membership_id).user_id == resident.id
    assert {r.claimed_by_id for r in db.session.scalars(select(IntakeRecord))} == {resident.id}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "intake.claim"))
    assert audit.actor_id == resident.id and len(audit.details["record_ids"]) == 3
    # The number is now the account's: a second claim finds nothing left.
    page = client.get("/intake/claim", headers=EN).get_data(as_text=True)
    assert "010-****-6789" in page
    again = client.post("/intake/claim/account-phone", headers=EN, follow_redirects=True)
    assert "Nothing entered with this phone number is waiting to be claimed." in again.get_data(as_text=True)
    assert count(AuditEntry.__table__) and db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "intake.claim")) == 1


def test_a_claim_with_another_number_moves_nothing(client, login, make_user, three_entered, last_code):
    stranger = make_user()
    login(stranger)
    client.post("/intake/claim/code", data={"phone": "010-9999-0000"})
    response = client.post("/intake/claim", data={"claim-phone": "010-9999-0000",
                                                  "claim-code": last_code("01099990000")}, headers=EN)
    assert response.status_code == 422
    assert "Nothing entered with this phone number" in response.get_data(as_text=True)
    assert count(IntakeRecord) == 3
    assert db.session.scalar(select(func.count()).select_from(IntakeRecord)
                             .where(IntakeRecord.claimed_at.is_not(None))) == 0
    assert db.session.get(Proposal, three_entered[0].proposal_id).author_id == three_entered[0].holder_id


def test_a_wrong_code_claims_nothing(client, login, make_user, three_entered, last_code):
    login(make_user())
    client.post("/intake/claim/code", data={"phone": PHONE})
    wrong = "000000" if last_code(NUMBER) != "000000" else "111111"
    response = client.post("/intake/claim", data={"claim-phone": PHONE, "claim-code": wrong}, headers=EN)
    assert response.status_code == 422 and "The code is wrong" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IntakeRecord)
                             .where(IntakeRecord.claimed_at.is_not(None))) == 0


def test_a_resident_who_already_applied_keeps_their_own_application(client, login, make_user, three_entered,
                                                                    last_code, lab):
    from app.labs.models import MemberGroup
    from app.labs.services import labs as lab_services

    resident = make_user()
    own = lab_services.apply(lab, resident, motivation="직접 신청했습니다. 열심히 하겠습니다.",
                             group=MemberGroup.CITIZEN, today=date.today())
    db.session.commit()
    login(resident)
    client.post("/intake/claim/code", data={"phone": PHONE})
    client.post("/intake/claim", data={"claim-phone": PHONE, "claim-code": last_code(NUMBER)})
    db.session.expire_all()
    entered = db.session.get(LabMembership, three_entered[2].membership_id)
    assert entered.user_id == three_entered[2].holder_id and entered.status is MembershipStatus.LEFT
    assert db.session.get(LabMembership, own.id).user_id == resident.id


# --- API -------------------------------------------------------------------------------------------------

def test_api_enters_lists_and_claims(client, centre, make_user, auth_header, choices, consultation, last_code):
    headers = auth_header(centre)
    payload = {k: v for k, v in proposal_form().items() if k != "consent_privacy"}
    payload.update(consent_privacy=True, consent_texts=False, birth_year=1950, topics=["walking"])
    created = client.post("/api/v1/intake/proposals", json=payload, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["phone"] == PHONE and body["entered_by"]["id"] == centre.id and body["consent"]["privacy"] is True
    refused = client.post("/api/v1/intake/proposals", json={**payload, "consent_privacy": False}, headers=headers)
    assert refused.status_code == 422 and "consent_privacy" in refused.get_json()["errors"]
    opinion = client.post("/api/v1/intake/opinions", headers=headers, json={
        **{k: v for k, v in payload.items() if k in ("channel", "resident_name", "phone", "district", "birth_year",
                                                     "consent_privacy")},
        "consultation_id": consultation.id, "body": "의견입니다.", "written_on": date.today().isoformat()})
    assert opinion.status_code == 201, opinion.get_json()
    listing = client.get("/api/v1/intake", headers=headers).get_json()
    assert [item["kind"] for item in listing["items"]] == ["opinion", "proposal"]
    assert "phone" not in listing["items"][0]
    resident = make_user()
    resident_headers = auth_header(resident)
    assert client.post("/api/v1/intake/proposals", json=payload, headers=resident_headers).status_code == 403
    assert client.get(f"/api/v1/intake/{body['id']}", headers=resident_headers).status_code == 403
    assert client.post("/api/v1/me/claims", headers=resident_headers).status_code == 409  # no verified number
    assert client.post("/api/v1/me/claims/code", json={"phone": PHONE}, headers=resident_headers).status_code == 202
    claimed = client.post("/api/v1/me/claims", json={"phone": PHONE, "code": last_code(NUMBER)},
                          headers=resident_headers)
    assert claimed.status_code == 200 and len(claimed.get_json()["claimed"]) == 2
    assert client.post("/api/v1/me/claims", headers=resident_headers).status_code == 404
