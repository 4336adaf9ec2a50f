from flask import Blueprint

bp = Blueprint("seminars", __name__)
