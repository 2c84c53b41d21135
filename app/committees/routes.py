"""Committee pages: the public page, the staff page, membership actions and members' requests."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.committees import bp, queries
from app.committees import permissions as perm
from app.committees.forms import (
    ActionForm,
    AppointForm,
    CommitteeForm,
    DismissForm,
    LinkAccountForm,
    MeetingForm,
    NominationForm,
    OfficerForm,
    RequestForm,
)
from app.committees.models import (
    DismissalReason,
    Gender,
    MemberCategory,
    MemberStatus,
    Office,
    RequestStatus,
    SubjectType,
)
from app.committees.services import membership, meetings, today
from app.committees.views import (
    chair_seat,
    load_committee,
    load_member,
    load_request,
    saved,
    viewer_seat,
)
from app.core import page_number
from app.extensions import db
from app.web import authorize, flash_form_errors, run_service

PER_PAGE = 10


@bp.app_context_processor
def committee_page_helpers():
    """For committees/_discussed.html, which proposal, policy and lab pages include."""
    return {"committee_discussions": lambda kind, subject_id: queries.discussions_of(SubjectType(kind), subject_id)}


@bp.route("")
def index():
    pagination = db.paginate(queries.committees_query(), page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template("committees/index.html", pagination=pagination,
                           can_create=perm.can_create_committee(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    authorize(perm.can_create_committee(current_user))
    form = CommitteeForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: membership.create_committee(
            current_user, name=form.name.data, description=form.description.data or "",
            travel_expense_won=form.travel_expense_won.data),
            _("The committee was created. Nominate its members next."), form=form)
        if outcome:
            return redirect(url_for("committees.manage", committee_id=outcome.value.id))
    return render_template("committees/form.html", form=form), 422 if form.errors else 200


@bp.route("/<int:committee_id>")
def detail(committee_id: int):
    committee = load_committee(committee_id)
    day = today()
    seat = viewer_seat(committee)
    requests = list(db.session.scalars(queries.requests_query(committee.id, RequestStatus.OPEN, RequestStatus.DUE)))
    signed = queries.signed_request_ids(seat.id if seat else None, [r.id for r in requests])
    members, offices = queries.roster(committee.id, day)
    meetings_page = db.paginate(queries.meetings_query(committee.id, public=True), page=page_number(),
                                per_page=PER_PAGE, error_out=False)
    return render_template(
        "committees/detail.html", committee=committee, members=members, offices=offices, meetings=meetings_page,
        seat=seat,
        requests=requests if seat or perm.can_manage_committee(current_user) else [], signed=signed,
        request_form=RequestForm(), action_form=ActionForm(), meeting_form=MeetingForm(),
        can_request=perm.can_request_meeting(current_user, seat),
        can_sign=lambda r: perm.can_sign_request(current_user, seat, r, r.id in signed),
        can_call=perm.can_call_meeting(current_user, chair_seat(committee)),
        can_manage=perm.can_manage_committee(current_user),
    )


def _managed(committee_id: int):
    """The committee of a staff page or action: 404 when unknown, then 401/403 unless the viewer manages it."""
    committee = load_committee(committee_id)
    authorize(perm.can_manage_committee(current_user))
    return committee


def _manage_page(committee, status=200, **forms):
    day = today()
    serving, offices = queries.roster(committee.id, day)
    nominees = list(db.session.scalars(queries.members_in_status_query(committee.id, MemberStatus.NOMINATED)))
    officer_form = forms.get("officer_form") or OfficerForm(elected_on=day)
    officer_form.member_id.choices = [(m.id, m.name) for m in serving]
    appoint_form = forms.get("appoint_form") or AppointForm(starts_on=day)
    appoint_form.member_ids.choices = [(m.id, f"{m.name} · {m.category.label} · {m.gender.label}") for m in nominees]
    former = db.paginate(queries.former_members_query(committee.id, day), page=page_number(), per_page=PER_PAGE,
                         error_out=False)
    return render_template(
        "committees/manage.html", committee=committee, serving=serving, nominees=nominees, former=former,
        offices=offices, today=day,
        expiring=list(db.session.scalars(queries.expiring_terms_query(committee.id, day))),
        gender_counts=queries.appointed_gender_counts(committee.id, day), genders=list(Gender),
        requests=list(db.session.scalars(queries.requests_query(committee.id, RequestStatus.OPEN, RequestStatus.DUE))),
        meetings=list(db.session.scalars(queries.meetings_query(committee.id, public=False).limit(20))),
        committee_form=forms.get("committee_form") or CommitteeForm(obj=committee),
        nomination_form=forms.get("nomination_form") or NominationForm(),
        appoint_form=appoint_form, officer_form=officer_form,
        meeting_form=forms.get("meeting_form") or MeetingForm(), action_form=ActionForm(),
    ), status


@bp.route("/<int:committee_id>/manage")
@login_required
def manage(committee_id: int):
    committee = _managed(committee_id)
    return _manage_page(committee)


@bp.route("/<int:committee_id>/edit", methods=["POST"])
@login_required
def edit(committee_id: int):
    committee = _managed(committee_id)
    form = CommitteeForm()
    if saved(form, lambda: membership.update_committee(
            committee, current_user, name=form.name.data, description=form.description.data or "",
            travel_expense_won=form.travel_expense_won.data), _("The committee was saved.")):
        return redirect(url_for("committees.manage", committee_id=committee.id))
    return _manage_page(committee, 422, committee_form=form)


@bp.route("/<int:committee_id>/members", methods=["POST"])
@login_required
def nominate(committee_id: int):
    committee = _managed(committee_id)
    form = NominationForm()
    if saved(form, lambda: membership.nominate_member(
            committee, current_user, name=form.name.data, gender=Gender(form.gender.data),
            category=MemberCategory(form.category.data), affiliation=form.affiliation.data or "",
            contact=form.contact.data or "", is_city_employee=form.is_city_employee.data,
            user_id=membership.account_id_for_email(form.account_email.data), replaces_id=form.replaces_id.data),
            _("The nominee was added. Appoint them when the committee's composition allows.")):
        return redirect(url_for("committees.manage", committee_id=committee.id, _anchor="nominees"))
    return _manage_page(committee, 422, nomination_form=form)


@bp.route("/<int:committee_id>/appointments", methods=["POST"])
@login_required
def appoint(committee_id: int):
    committee = _managed(committee_id)
    form = AppointForm()
    if saved(form, lambda: membership.appoint_members(
            committee, current_user, form.member_ids.data, form.starts_on.data),
            _("The members were appointed.")):
        return redirect(url_for("committees.manage", committee_id=committee.id))
    return _manage_page(committee, 422, appoint_form=form)


@bp.route("/<int:committee_id>/officers", methods=["POST"])
@login_required
def elect(committee_id: int):
    committee = _managed(committee_id)
    form = OfficerForm()
    form.member_id.choices = [(m.id, m.name) for m in queries.serving_members(committee.id, today())]
    if saved(form, lambda: membership.elect_officer(
            committee, current_user, office=Office(form.office.data), member_id=form.member_id.data,
            elected_on=form.elected_on.data, present=form.present.data, votes_for=form.votes_for.data),
            _("The election was recorded.")):
        return redirect(url_for("committees.manage", committee_id=committee.id))
    return _manage_page(committee, 422, officer_form=form)


@bp.route("/<int:committee_id>/end-terms", methods=["POST"])
@login_required
def end_terms(committee_id: int):
    committee = _managed(committee_id)
    if ActionForm().validate_on_submit():
        run_service(lambda: membership.end_expired_terms(committee, current_user),
                    _("Members whose term ran out are marked as ended."))
    return redirect(url_for("committees.manage", committee_id=committee.id))


def _member_page(committee, member, status=200, **forms):
    return render_template(
        "committees/member.html", committee=committee, member=member, today=today(),
        dismiss_form=forms.get("dismiss_form") or DismissForm(),
        link_form=forms.get("link_form") or LinkAccountForm(), action_form=ActionForm(),
        reasons=list(DismissalReason),
    ), status


@bp.route("/<int:committee_id>/members/<int:member_id>")
@login_required
def member(committee_id: int, member_id: int):
    committee = _managed(committee_id)
    return _member_page(committee, load_member(committee, member_id))


@bp.route("/<int:committee_id>/members/<int:member_id>/renew", methods=["POST"])
@login_required
def renew(committee_id: int, member_id: int):
    committee = _managed(committee_id)
    member = load_member(committee, member_id)
    if ActionForm().validate_on_submit():
        run_service(lambda: membership.renew_member(member, current_user), _("The term was renewed for two years."))
    return redirect(url_for("committees.member", committee_id=committee.id, member_id=member.id))


@bp.route("/<int:committee_id>/members/<int:member_id>/withdraw", methods=["POST"])
@login_required
def withdraw(committee_id: int, member_id: int):
    committee = _managed(committee_id)
    member = load_member(committee, member_id)
    if ActionForm().validate_on_submit():
        run_service(lambda: membership.withdraw_nomination(member, current_user), _("The nomination was withdrawn."))
    return redirect(url_for("committees.manage", committee_id=committee.id))


@bp.route("/<int:committee_id>/members/<int:member_id>/dismiss", methods=["POST"])
@login_required
def dismiss(committee_id: int, member_id: int):
    committee = _managed(committee_id)
    member = load_member(committee, member_id)
    form = DismissForm()
    if saved(form, lambda: membership.dismiss_member(
            member, current_user, reason=DismissalReason(form.reason.data), note=form.note.data or "",
            replacement_id=form.replacement_id.data),
            _("The member was dismissed; the reason is recorded.")):
        return redirect(url_for("committees.member", committee_id=committee.id, member_id=member.id))
    return _member_page(committee, member, 422, dismiss_form=form)


@bp.route("/<int:committee_id>/members/<int:member_id>/account", methods=["POST"])
@login_required
def link(committee_id: int, member_id: int):
    committee = _managed(committee_id)
    member = load_member(committee, member_id)
    form = LinkAccountForm()
    if saved(form, lambda: membership.link_account(
            member, current_user, membership.account_id_for_email(form.account_email.data)),
            _("The member is linked to the account.")):
        return redirect(url_for("committees.member", committee_id=committee.id, member_id=member.id))
    return _member_page(committee, member, 422, link_form=form)


@bp.route("/<int:committee_id>/requests", methods=["POST"])
@login_required
def request_meeting(committee_id: int):
    committee = load_committee(committee_id)
    authorize(perm.can_request_meeting(current_user, viewer_seat(committee)))
    form = RequestForm()
    if form.validate_on_submit():
        run_service(lambda: meetings.create_request(committee, current_user, form.purpose.data),
                    _("Your request was made and signed. Other members can sign it on this page."))
    else:
        flash_form_errors(form)
    return redirect(url_for("committees.detail", committee_id=committee.id, _anchor="requests"))


@bp.route("/<int:committee_id>/requests/<int:request_id>/sign", methods=["POST"])
@login_required
def sign(committee_id: int, request_id: int):
    committee = load_committee(committee_id)
    request = load_request(committee, request_id)
    authorize(perm.can_request_meeting(current_user, viewer_seat(committee)))
    if ActionForm().validate_on_submit():
        run_service(lambda: meetings.sign_request(request, current_user), _("You signed the request."))
    return redirect(url_for("committees.detail", committee_id=committee.id, _anchor="requests"))


from app.committees import routes_meetings  # noqa: E402,F401
