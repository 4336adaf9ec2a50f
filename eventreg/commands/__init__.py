"""`flask --app eventreg ...` commands. They call the same service functions as the web pages."""

import sys
from datetime import date

import click
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from eventreg.auth import services as accounts
from eventreg.extensions import db
from eventreg.models import MIN_PASSWORD_LENGTH, ROLES, SEMINAR_ROLES, Seminar
from eventreg.teams.queries import end_of_day

CLI_REFUSALS = {
    "email_taken": _l("an account for %(email)s already exists"),
    "password_too_short": _l("the password is too short (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
    "password_is_email": _l("the password must not contain the account's e-mail address"),
    "password_repetitive": _l("the password repeats a few characters or runs in sequence (like 1234567890)"),
    "password_common": _l("the password is one of the commonest passwords; choose another"),
    "not_on_team": _l("%(email)s is not on that seminar's team"),
    "role_too_high": _l("that role allows more than %(email)s may do on that seminar"),
    "expiry_past": _l("that expiry date has passed already"),
}


def _read_password(password_stdin):
    """From a prompt, or from standard input for scripts; never from argv, where `ps` shows it."""
    if password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True)
@click.option("--name", default="", help="Display name (default: the e-mail).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email, role, name, password_stdin):
    """Create a staff account."""
    password = _read_password(password_stdin)
    try:
        user = accounts.create_user(db.session, email=email, name=name or email, role=role, password=password)
    except accounts.AccountRefused as refusal:
        db.session.rollback()
        message = CLI_REFUSALS.get(refusal.code)
        raise click.ClickException(str(message) % {"email": email} if message else refusal.code) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--seminar", "slug", default=None, help="Only this seminar (its slug); default: all of the account's.")
@click.option("--role", type=click.Choice(SEMINAR_ROLES), default=None,
              help="At most this role on the seminar(s); never more than the account's own.")
@click.option("--expires", default=None, metavar="DATE",
              help="Last day it works (YYYY-MM-DD, to the end of that day in the seminar's zone, else UTC).")
def create_token_command(email, name, slug, role, expires):
    """Create an API token for an account and print it once (e.g. a door device's: --seminar X --role door)."""
    user = accounts.find_user(db.session, email)
    if user is None or not user.active:
        raise click.ClickException(f"no active account for {email}")
    seminar = None
    if slug is not None:
        seminar = db.session.scalar(select(Seminar).where(Seminar.slug == slug))
        if seminar is None:
            raise click.ClickException(f"no seminar {slug}")
    try:
        expires_at = end_of_day(date.fromisoformat(expires), seminar) if expires else None
        _, plain = accounts.issue_api_token(db.session, user, name, seminar=seminar, role=role,
                                            expires_at=expires_at)
    except ValueError:
        raise click.ClickException(f"--expires {expires}: give a date as YYYY-MM-DD") from None
    except accounts.AccountRefused as refusal:
        db.session.rollback()
        message = CLI_REFUSALS.get(refusal.code)
        raise click.ClickException(str(message) % {"email": email} if message else refusal.code) from None
    db.session.commit()
    click.echo(plain)


@click.command("seed-demo")
def seed_demo_command():
    """Load the demo seminars and accounts (safe to run again: it adds only what is missing)."""
    from eventreg.commands import demo

    said = demo.seed(db.session)
    db.session.commit()
    for line in said:
        click.echo(line)
    base = current_app.config["PUBLIC_URL"]
    click.echo("")
    click.echo(f"eventreg demo is ready at {base}/")
    click.echo(f"  Staff login: {base}/login")
    for email, _name, role, password in demo.DEMO_USERS:
        click.echo(f"  {role:<9} {email:<28} password: {password}")


@click.command("send-mail")
def send_mail_command():
    """Deliver the e-mail waiting in the outbox (retries with backoff); safe to run from cron every minute."""
    from eventreg import mail

    sent, failed = mail.send_due(db.session)
    click.echo(f"Sent {sent} message(s), {failed} failed (they will be retried).")
    if failed and not sent:
        sys.exit(1)


@click.command("send-reminders")
def send_reminders_command():
    """Queue the day-before reminders and send them; safe to run every hour: nobody gets two."""
    from eventreg import mail
    from eventreg.registration import services as registration

    queued = registration.send_reminders(db.session)
    db.session.commit()
    sent, failed = mail.send_due(db.session)
    click.echo(f"Queued {queued} reminder(s); sent {sent} message(s), {failed} failed.")


@click.command("expire-holds")
def expire_holds_command():
    """Release the seats held for addresses not confirmed in time (to the waiting list, as a cancellation does),
    and send what that queued; safe to run every few minutes and on every server: each release is conditional."""
    from eventreg import mail
    from eventreg.registration import services as registration

    released = registration.expire_holds(db.session)
    db.session.commit()
    sent, failed = mail.send_due(db.session)
    click.echo(f"Released {released} registration(s) not confirmed in time; sent {sent} message(s), {failed} failed.")


@click.command("purge-expired")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Keep personal data this many days after a seminar ends (default: PERSONAL_DATA_RETENTION_DAYS).")
def purge_expired_command(days):
    """Erase the personal data of seminars that ended longer ago than the retention; the figures stay.
    Safe to run daily from cron: a seminar already erased is skipped."""
    from eventreg.privacy import services as privacy

    days = current_app.config["PERSONAL_DATA_RETENTION_DAYS"] if days is None else days
    done = privacy.purge_expired(db.session, days=days)
    db.session.commit()
    for seminar, count in done:
        click.echo(f"{seminar.slug}: erased the personal data of {count} registration(s).")
    click.echo(f"{len(done)} seminar(s) past the {days}-day retention erased.")


@click.command("rotate-ticket-key")
@click.option("--revoke", is_flag=True,
              help="Delete the old keys instead of retiring them (a leaked key): their codes then pass only online.")
def rotate_ticket_key_command(revoke):
    """Sign new ticket codes with a new key; old codes stay valid offline until their seminars end."""
    from eventreg import tickets
    from eventreg.models import utcnow

    key, old = tickets.rotate_signing_key(db.session, utcnow(), revoke=revoke)
    db.session.commit()
    click.echo(f"New ticket signing key {tickets.key_id(key)}; {old} old key(s) {'deleted' if revoke else 'retired'}.")


@click.command("issue-certificates")
@click.option("--no-send", is_flag=True, help="Only queue the e-mails; `send-mail` delivers them.")
def issue_certificates_command(no_send):
    """Issue the certificates of attendance of every seminar that has ended and gives them, and e-mail them.
    Safe to run hourly from cron: nobody gets a second one, and a revoked certificate is not issued again."""
    from eventreg import mail
    from eventreg.certificates import services as certificates

    done = certificates.issue_due(db.session)
    db.session.commit()
    for seminar, count in done:
        click.echo(f"{seminar.slug}: issued {count} certificate(s).")
    if not no_send:
        sent, failed = mail.send_due(db.session)
        click.echo(f"Sent {sent} message(s), {failed} failed.")


def init_app(app):
    for command in (create_user_command, create_token_command, seed_demo_command, send_mail_command,
                    send_reminders_command, expire_holds_command, purge_expired_command, rotate_ticket_key_command,
                    issue_certificates_command):
        app.cli.add_command(command)
