"""E-mail addresses stored in their one normal form (NFC, IDNA domain, lower case)

Revision ID: 0018
Revises: 0001
Create Date: 2026-12-07

Lookups (one registration per address and seminar, finding an account) now compare the normal form
(eventreg/email_addresses.py); an address stored before in another form (a Cyrillic domain, NFD text) would no
longer be found. An address whose normal form another row of the same seminar (or another account) already
holds is left as it is and named in the output, for an organizer to resolve.
"""
from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from eventreg.email_addresses import normalise_email

revision = '0018'
down_revision = '0001'
branch_labels = None
depends_on = None


def _normalise(bind, table):
    changed = kept = 0
    rows = bind.execute(text(f"SELECT id, email FROM {table} WHERE email IS NOT NULL")).all()  # noqa: S608
    for row_id, email in rows:
        wanted = normalise_email(email)
        if wanted == email:
            continue
        try:
            with bind.begin_nested():
                bind.execute(text(f"UPDATE {table} SET email = :email WHERE id = :id"),  # noqa: S608
                             {"email": wanted, "id": row_id})
            changed += 1
        except IntegrityError:
            kept += 1
            print(f"0018: {table} {row_id}: {email!r} kept as it is, {wanted!r} is already taken")
    print(f"0018: {table}: {changed} address(es) normalised, {kept} kept")


def upgrade():
    bind = op.get_bind()
    _normalise(bind, "user_account")
    _normalise(bind, "registration")


def downgrade():
    """The earlier forms are not kept; the normal form works with the earlier code too."""
