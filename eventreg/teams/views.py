"""A seminar's team for its owners (members, roles, invitations, the seminar's audit) and joining by invitation."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from eventreg.auth.access import ACCOUNT_REFUSALS, log_in, seminar_required
from eventreg.auth.permissions import request_may
from eventreg.extensions import db
from eventreg.models import TeamInvitation, utcnow
from eventreg.privacy import services as privacy
from eventreg.teams import bp, services
from eventreg.teams.forms import JoinForm, MemberForm, MemberRoleForm

REFUSALS = {
    "bad_role": _l("Unknown role."),
    "bad_email": _l("This is not an e-mail address."),
    "already_member": _l("This person is on the team already; change their role below."),
    "already_invited": _l("An invitation to this e-mail address is open already."),
    "last_owner": _l("This is the last owner of the seminar; make someone else an owner first."),
}


ROLE_LABELS = {"owner": _l("owner"), "organizer": _l("organizer"), "door": _l("door"), "viewer": _l("viewer")}


@bp.app_context_processor
def _team_helpers():
    return {"role_labels": ROLE_LABELS, "may": request_may}


def _invitation_link(token):
    # From PUBLIC_URL, never the request's Host header: a forged Host must not put a foreign link in the mail.
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("teams.join", token=token)


def _render_team(seminar, form, status=200, new_link=None):
    return render_template(
        "teams/team.html", seminar=seminar, form=form, role_form=MemberRoleForm(), new_link=new_link,
        members=services.members(db.session, seminar),
        invitations=services.open_invitations(db.session, seminar, now=utcnow()),
    ), status


@bp.route("/organizer/s/<slug>/team", methods=["GET", "POST"])
@seminar_required("team")
def team(seminar):
    form = MemberForm()
    if not form.validate_on_submit():
        return _render_team(seminar, form, 400 if form.errors else 200)
    try:
        outcome = services.add_member(db.session, seminar, form.email.data, form.role.data, by=current_user,
                                      link_for=_invitation_link, now=utcnow())
    except services.TeamRefused as refusal:
        db.session.rollback()
        (form.role if refusal.code == "bad_role" else form.email).errors.append(REFUSALS[refusal.code])
        return _render_team(seminar, form, 400)
    db.session.commit()
    if outcome[0] == "added":
        flash(_("%(email)s is on the team.", email=form.email.data.strip().lower()), "success")
        return redirect(url_for("teams.team", slug=seminar.slug))
    flash(_("%(email)s has no account yet: an invitation is on its way. It works once, for 7 days.",
            email=outcome[1].email), "success")
    return _render_team(seminar, MemberForm(formdata=None), new_link=outcome[2])


def _member_change(seminar, member_id, change, message):
    member = services.member_or_none(db.session, seminar, member_id)
    if member is None:
        abort(404)
    email = member.user.email
    try:
        change(member)
    except services.TeamRefused as refusal:
        db.session.rollback()
        flash(REFUSALS[refusal.code], "error")
    else:
        db.session.commit()
        flash(message % {"email": email}, "success")
    return redirect(url_for("teams.team", slug=seminar.slug))


@bp.post("/organizer/s/<slug>/team/<int:member_id>/role")
@seminar_required("team")
def change_role(seminar, member_id):
    role = MemberRoleForm().role.data
    return _member_change(seminar, member_id, lambda m: services.change_role(db.session, m, role, by=current_user),
                          _("The role of %(email)s is changed."))


@bp.post("/organizer/s/<slug>/team/<int:member_id>/remove")
@seminar_required("team")
def remove(seminar, member_id):
    return _member_change(seminar, member_id, lambda m: services.remove_member(db.session, m, by=current_user),
                          _("%(email)s is no longer on the team."))


@bp.post("/organizer/s/<slug>/team/invitations/<int:invitation_id>/revoke")
@seminar_required("team")
def revoke_invitation(seminar, invitation_id):
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.seminar_id != seminar.id:
        abort(404)
    services.revoke_invitation(db.session, invitation, by=current_user, now=utcnow())
    db.session.commit()
    flash(_("The invitation to %(email)s no longer works.", email=invitation.email), "success")
    return redirect(url_for("teams.team", slug=seminar.slug))


@bp.get("/organizer/s/<slug>/audit")
@seminar_required("audit")
def audit_log(seminar):
    page = request.args.get("page", 1, type=int)
    if page < 1:
        abort(404)
    entries, titles, has_more = privacy.audit_entries(db.session, page=page, seminar=seminar)
    return render_template("privacy/audit_log.html", entries=entries, titles=titles, page=page, has_more=has_more,
                           seminar=seminar)


JOIN_REFUSALS = {
    "log_in_as_invitee": _l("This invitation is for %(email)s. Log in with that account (or log out) to accept it."),
}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def join(token):
    """Anyone holding the link; it is its own key. A used, expired, revoked or altered link: one page, nothing made."""
    invitation = services.open_invitation(db.session, token)
    if invitation is None:
        return render_template("teams/invitation_invalid.html"), 404
    form = JoinForm()
    joining = current_user.is_authenticated
    if request.method == "POST" and (joining or form.validate_on_submit()):
        try:
            account, seminar = services.accept_invitation(
                db.session, token, user=current_user, name=form.name.data or "", password=form.password.data or "")
        except services.TeamRefused as refusal:
            db.session.rollback()
            if refusal.code == "invitation_invalid":
                return render_template("teams/invitation_invalid.html"), 404
            if refusal.code == "account_refused":
                form.password.errors.append(ACCOUNT_REFUSALS[refusal.account_code])
            else:
                flash(JOIN_REFUSALS[refusal.code] % {"email": invitation.email}, "error")
            return render_template("teams/join.html", invitation=invitation, form=form), 400
        db.session.commit()
        if not joining:
            log_in(account)
        flash(_("Welcome to the team of “%(title)s”.", title=seminar.title), "success")
        return redirect(url_for("seminars.dashboard"))
    return render_template("teams/join.html", invitation=invitation, form=form), 400 if form.errors else 200
