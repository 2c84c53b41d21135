from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import is_staff, requires
from app.names import bp, services
from app.names.forms import DepartmentNameForm
from app.web import run_service


def _page(failed: DepartmentNameForm | None = None, status: int = 200):
    english = services.english_names()
    rows = []
    for index, name in enumerate(services.departments_in_use()):
        if failed is not None and failed.name.data == name:
            form = failed
        else:
            form = DepartmentNameForm(formdata=None, name=name, name_en=english.get(name, ""))
        form.name_en.id = f"name-en-{index}"
        rows.append((name, form))
    return render_template("names/departments.html", rows=rows, form=failed), status


@bp.route("/")
@requires(is_staff)
def departments():
    return _page()


@bp.route("/", methods=["POST"])
@requires(is_staff)
def set_department():
    form = DepartmentNameForm()
    if form.validate_on_submit():
        outcome = run_service(lambda: services.set_english_name(current_user, form.name.data, form.name_en.data or ""),
                              _("Saved."), form=form)
        if outcome.ok:
            return redirect(url_for("names.departments"))
    return _page(form, 422)
