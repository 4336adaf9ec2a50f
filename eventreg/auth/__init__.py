from flask import Blueprint

bp = Blueprint("auth", __name__)


def init_login(login_manager):
    from eventreg.auth import access

    access.init_login(login_manager)
