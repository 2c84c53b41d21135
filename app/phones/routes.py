"""Pages: the account's phone number, and choosing a new password with a code sent to it."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.phones import bp, services
from app.phones.forms import PhoneCodeForm, PhoneForm
from app.phones.limits import phone_code_limited
from app.phones.numbers import mask_phone, normalise_phone
from app.web import run_service


def _phone_page(form=None, code_form=None, status: int = 200):
    return render_template("phones/account_phone.html", form=form or PhoneForm(formdata=None),
                           code_form=code_form, phone=services.masked_phone(current_user)), status


@bp.route("/account/phone", methods=["GET"])
@login_required
def account_phone():
    return _phone_page()


@bp.route("/account/phone/code", methods=["POST"])
@login_required
@phone_code_limited
def send_account_code():
    form = PhoneForm()
    if form.validate_on_submit() and run_service(
            lambda: services.request_code(form.phone.data, "account", ip=request.remote_addr),
            _("A code is on its way by text message."), form=form):
        code_form = PhoneCodeForm(formdata=None, data={"phone": form.phone.data})
        return _phone_page(form, code_form)
    return _phone_page(form, status=422)


@bp.route("/account/phone", methods=["POST"])
@login_required
@phone_code_limited
def verify_account_phone():
    code_form = PhoneCodeForm()
    if code_form.validate_on_submit() and run_service(
            lambda: services.set_user_phone(current_user, code_form.phone.data, code_form.code.data),
            lambda row: _("Your phone number %(phone)s is verified.",
                          phone=mask_phone(normalise_phone(code_form.phone.data))), form=code_form):
        return redirect(url_for("phones.account_phone"))
    return _phone_page(PhoneForm(formdata=None, data={"phone": code_form.phone.data}), code_form, 422)


@bp.route("/account/phone/remove", methods=["POST"])
@login_required
def remove_account_phone():
    run_service(lambda: services.remove_user_phone(current_user), _("Your phone number was removed."))
    return redirect(url_for("phones.account_phone"))


@bp.route("/password/phone", methods=["GET", "POST"])
@phone_code_limited
def recover_by_phone():
    """Step 1: a number; a code goes to it when an account has it (the answer is the same either way).
    Step 2: the code; the reset page for that account follows."""
    form = PhoneForm()
    code_form = None
    if request.method == "POST" and "code" not in request.form:
        if form.validate_on_submit() and run_service(
                lambda: services.request_recovery_code(form.phone.data, ip=request.remote_addr),
                _("If an account has this verified number, a code is on its way by text message."), form=form):
            code_form = PhoneCodeForm(formdata=None, data={"phone": form.phone.data})
        return render_template("phones/recover.html", form=form, code_form=code_form), 200 if code_form else 422
    if request.method == "POST":
        code_form = PhoneCodeForm()
        if code_form.validate_on_submit():
            outcome = run_service(lambda: services.recover_with_phone(code_form.phone.data, code_form.code.data),
                                  form=code_form)
            if outcome:
                return redirect(url_for("auth.reset_password", token=outcome.value))
        phone_form = PhoneForm(formdata=None, data={"phone": code_form.phone.data})
        return render_template("phones/recover.html", form=phone_form, code_form=code_form), 422
    return render_template("phones/recover.html", form=form, code_form=None)


@bp.route("/signup/phone-code", methods=["POST"])
@phone_code_limited
def signup_code():
    """The sign-up page's first, optional step: text a code to the number, then show the sign-up form with
    the number filled in and a field for the code."""
    from app.auth.forms import SignupForm
    from app.phones.signup import SIGNUP

    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    phone = request.form.get("phone", "")
    form = SignupForm(formdata=None, data={"phone": phone})
    outcome = run_service(lambda: services.request_code(phone, SIGNUP, ip=request.remote_addr),
                          _("A code is on its way by text message."), form=form)
    return render_template("auth/signup.html", form=form), 200 if outcome else 422
