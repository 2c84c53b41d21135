from flask import abort, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments import bp, services
from app.comments.forms import CommentForm, EditCommentForm
from app.comments.models import Comment
from app.comments.permissions import can_delete_comment, can_edit_comment
from app.comments.registry import load_target_or_404
from app.core import int_arg
from app.extensions import db
from app.web import flash_form_errors, run_service


def _comment_or_404(comment_id: int) -> Comment:
    return db.session.get(Comment, comment_id) or abort(404)


@bp.route("/<target_type>/<int:target_id>", methods=["POST"])
@login_required
def add(target_type: str, target_id: int):
    target, obj = load_target_or_404(target_type, target_id)
    if not target.can_view(current_user, obj):
        abort(404)
    if not target.can_comment(current_user, obj):
        abort(403)
    form = CommentForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(target.url(obj) + "#comment-form")
    outcome = run_service(lambda: services.add_comment(current_user, target_type, obj, form.body.data,
                                                       parent_id=form.parent_id.data, stance=form.stance_value),
                          _("Your comment was posted."))
    if not outcome:
        return redirect(target.url(obj) + "#comment-form")
    return redirect(f"{target.url(obj)}#comment-{outcome.value.id}")


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = _comment_or_404(comment_id)
    target, obj = load_target_or_404(comment.target_type, comment.target_id)
    if not can_edit_comment(current_user, comment):
        abort(403)
    form = EditCommentForm(body=comment.body)
    if form.validate_on_submit():
        if run_service(lambda: services.edit_comment(current_user, comment, form.body.data),
                       _("Your comment was changed."), form=form):
            return redirect(f"{target.url(obj)}#comment-{comment.id}")
    return render_template("comments/edit.html", form=form, comment=comment, back_url=target.url(obj))


@bp.route("/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int):
    comment = _comment_or_404(comment_id)
    target, obj = load_target_or_404(comment.target_type, comment.target_id)
    if not can_delete_comment(current_user, comment):
        abort(403)
    run_service(lambda: services.delete_comment(current_user, comment), _("Your comment was deleted."))
    return redirect(f"{target.url(obj)}#comment-{comment.id}")


def comment_page_for_request(target_type: str, target_id: int) -> services.CommentPage:
    """The page of comments a target's page shows: the ``after`` query argument is the keyset cursor."""
    after = int_arg("after")
    return services.comment_page(target_type, target_id, after=after if after and after > 0 else None)


@bp.app_context_processor
def comment_helpers():
    from app.comments.permissions import can_reply

    return {"can_edit_comment": can_edit_comment, "can_delete_comment": can_delete_comment,
            "can_reply_to_comment": can_reply, "comment_visible_to": services.visible_comment,
            "comment_form_class": CommentForm}
