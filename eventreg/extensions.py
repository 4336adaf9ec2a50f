"""Extension objects, created unbound here and bound to the app in create_app."""

import logging

from flask import g
from flask_babel import Babel, Domain
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter them later, on SQLite too (batch mode needs the names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


class OneCataloguePerContext(Domain):
    """Flask-Babel's message domain, finding the catalogue once per request instead of once per string.

    Each lookup reads the locale through several context proxies and formats its name again: a signup page's
    hundred strings made that 8 % of a signup. The catalogue is kept in Flask-Babel's own per-context slot
    (`babel_translations`), which its `refresh()` and `force_locale()` clear and restore, so a changed or
    forced locale (an e-mail in the registrant's language) is still honoured.
    """

    def get_translations(self):
        slot = _flask_babel_slot()
        cached = getattr(slot, BABEL_SLOT_ATTRIBUTE, None)
        if cached is not None:
            return cached
        translations = super().get_translations()
        slot = _flask_babel_slot()  # Flask-Babel makes it on its first lookup in this context
        if slot is not None:
            setattr(slot, BABEL_SLOT_ATTRIBUTE, translations)
        return translations


# Flask-Babel's internals, here and nowhere else (flask-babel 4.0; pyproject.toml bounds it below 5, and
# tests/test_library_internals.py fails if an upgrade moves them): its per-context namespace is
# `g._flask_babel`, and `babel_translations` there is the catalogue slot that its refresh() and force_locale()
# reset.
BABEL_SLOT_ATTRIBUTE = "babel_translations"


def _flask_babel_slot():
    """Flask-Babel's per-context namespace, or None outside an app context or before its first lookup."""
    return g.get("_flask_babel") if g else None


babel = Babel()
babel.domain_instance = OneCataloguePerContext()
limiter = Limiter(key_func=get_remote_address)
# Its own logger ends in a NullHandler: through the app's, "storage unreachable - falling back to in-memory
# storage" reaches the operator as a WARNING.
limiter.logger = logging.getLogger("eventreg.ratelimit")
