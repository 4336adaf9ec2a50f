"""Login, logout, the user's own profile and API tokens, and the admin's user list."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from eventreg.auth import bp, services
from eventreg.auth.access import ACCOUNT_REFUSALS as REFUSALS
from eventreg.auth.access import log_in, role_required
from eventreg.auth.forms import (
    ROLE_CHOICES,
    ChangePasswordForm,
    ChooseNewPasswordForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordResetForm,
    RoleForm,
    TokenForm,
    UserForm,
)
from eventreg.extensions import db
from eventreg.models import MIN_PASSWORD_LENGTH, ApiToken, Seminar, User, utcnow
from eventreg.redirects import safe_next
from eventreg.teams import queries as team_queries


def _home_for(user):
    if user.has_role("organizer"):
        return url_for("seminars.dashboard")
    return url_for("checkin.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            log_in(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), _home_for(user)))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form)


def _reset_link(token):
    # From PUBLIC_URL, never the request's Host header: a forged Host must not put a foreign link in the mail.
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("auth.reset_with_token", token=token)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, link_for=_reset_link)
        db.session.commit()
        # The same answer whether or not the account exists: this page must not reveal who has one.
        flash(_("If %(email)s belongs to a staff account, a link to choose a new password is on its way. "
                "It works once, for one hour.", email=form.email.data), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_with_token(token):
    if services.live_reset_token(db.session, token) is None:
        return render_template("auth/reset_link_invalid.html"), 404
    form = ChooseNewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password_with_token(db.session, token, form.password.data)
        except services.AccountRefused as refusal:
            db.session.rollback()
            if refusal.code == "reset_link_invalid":  # the link was used a moment ago, in another tab
                return render_template("auth/reset_link_invalid.html"), 404
            form.password.errors.append(REFUSALS[refusal.code])
        else:
            db.session.commit()
            flash(_("Your password is changed and your other sessions are ended. Log in with the new password."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    services.end_session(db.session, current_user.session_key)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("seminars.index"))


@bp.get("/profile")
@role_required("staff")
def profile():
    return _render_profile(ChangePasswordForm(prefix="pw"), _token_form())


@bp.post("/profile/password")
@role_required("staff")
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            try:
                services.set_password(db.session, current_user, form.password.data)
            except services.AccountRefused as refusal:
                db.session.rollback()
                form.password.errors.append(REFUSALS[refusal.code])
            else:
                # Every login ended, this one too: a new one keeps this browser logged in (the user, not the proxy).
                log_in(db.session.get(User, current_user.id))
                flash(_("Your password is changed. Other devices are logged out."), "success")
                return redirect(url_for("auth.profile"))
    return _render_profile(form, _token_form()), 400


def _token_form(*, blank=False):
    """The token form, offering the seminars of the account's teams (an administrator: every seminar)."""
    form = TokenForm(prefix="token", formdata=None) if blank else TokenForm(prefix="token")
    form.seminar.choices = [("", _("All my seminars"))] + [
        (str(seminar.id), seminar.title) for seminar in team_queries.seminars_of(db.session, current_user)]
    return form


@bp.post("/profile/tokens")
@role_required("staff")
def create_token():
    form = _token_form()
    if not form.validate_on_submit():
        return _render_profile(ChangePasswordForm(prefix="pw"), form), 400
    picked = form.seminar.data or ""
    seminar = db.session.get(Seminar, int(picked)) if picked.isdigit() else None
    if picked and seminar is None:
        abort(400)
    expires_at = team_queries.end_of_day(form.expires_on.data, seminar) if form.expires_on.data else None
    try:
        _, plain = services.issue_api_token(db.session, current_user, form.name.data, seminar=seminar,
                                            role=form.role.data or None, expires_at=expires_at)
    except services.AccountRefused as refusal:
        db.session.rollback()
        field = {"role_too_high": form.role, "expiry_past": form.expires_on}.get(refusal.code, form.seminar)
        field.errors.append(REFUSALS[refusal.code])
        return _render_profile(ChangePasswordForm(prefix="pw"), form), 400
    db.session.commit()
    return _render_profile(ChangePasswordForm(prefix="pw"), _token_form(blank=True), new_token=plain)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@role_required("staff")
def revoke_token(token_id):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id and not current_user.has_role("admin"):
        abort(404)
    services.revoke_api_token(db.session, token, by=current_user)
    db.session.commit()
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("auth.profile"))


def _render_profile(password_form, token_form, new_token=None):
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/profile.html", password_form=password_form, token_form=token_form, tokens=tokens,
        new_token=new_token, now=utcnow(),
    )


@bp.route("/admin/users", methods=["GET", "POST"])
@role_required("admin")
def users():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session, email=form.email.data, name=form.name.data, role=form.role.data,
                password=form.password.data,
            )
        except services.AccountRefused as refusal:
            db.session.rollback()
            field = form.password if refusal.code.startswith("password_") else form.email
            field.errors.append(REFUSALS[refusal.code])
        else:
            db.session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("auth.users"))
    if form.errors:
        status = 400
    all_users = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", form=form, users=all_users, role_choices=ROLE_CHOICES), status


def _user_action(user_id, action, done_message):
    user = db.get_or_404(User, user_id)
    try:
        action(user)
    except services.AccountRefused as refusal:
        db.session.rollback()
        flash(REFUSALS[refusal.code], "error")
    else:
        db.session.commit()
        flash(done_message % {"email": user.email}, "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<int:user_id>/deactivate")
@role_required("admin")
def deactivate(user_id):
    return _user_action(user_id, lambda u: services.deactivate_user(db.session, u),
                        _("%(email)s is deactivated and logged out everywhere."))


@bp.post("/admin/users/<int:user_id>/activate")
@role_required("admin")
def activate(user_id):
    return _user_action(user_id, lambda u: services.activate_user(db.session, u),
                        _("%(email)s can log in again."))


@bp.post("/admin/users/<int:user_id>/role")
@role_required("admin")
def change_role(user_id):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _user_action(user_id, lambda u: services.change_role(db.session, u, form.role.data),
                        _("The role of %(email)s is changed."))


@bp.post("/admin/users/<int:user_id>/password")
@role_required("admin")
def reset_password(user_id):
    form = PasswordResetForm()
    if not form.validate_on_submit():
        flash(_("The new password needs at least %(n)s characters.", n=MIN_PASSWORD_LENGTH), "error")
        return redirect(url_for("auth.users"))
    return _user_action(user_id, lambda u: services.set_password(db.session, u, form.password.data),
                        _("The password of %(email)s is reset; their other sessions are ended."))
