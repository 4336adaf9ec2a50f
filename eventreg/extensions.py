"""Extension objects, created unbound here and bound to the app in create_app."""

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
        cached = getattr(_babel_state(), "babel_translations", None)
        if cached is not None:
            return cached
        translations = super().get_translations()
        state = _babel_state()  # Flask-Babel makes it on its first lookup in this context
        if state is not None:
            state.babel_translations = translations
        return translations


def _babel_state():
    """Flask-Babel's per-context namespace, or None outside an app context or before its first lookup."""
    return g.get("_flask_babel") if g else None


babel = Babel()
babel.domain_instance = OneCataloguePerContext()
limiter = Limiter(key_func=get_remote_address)
