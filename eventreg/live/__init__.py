from flask import Blueprint

bp = Blueprint("live", __name__)
