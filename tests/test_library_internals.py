"""The few library internals eventreg relies on, each fenced in one helper: these fail loudly when an upgrade
moves one, instead of the app silently getting slower or wrong (pyproject.toml bounds each library)."""

from flask import g
from flask_babel import force_locale, gettext, refresh
from wtforms import Form, StringField, widgets
from wtforms.widgets.core import html_params as wtforms_html_params

from eventreg import extensions
from eventreg import widgets as our_widgets


def test_flask_babel_keeps_its_catalogue_in_the_slot_the_domain_caches_it_in(app):
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        gettext("Welcome")
        slot = extensions._flask_babel_slot()
        assert slot is g.get("_flask_babel") is not None
        cached = getattr(slot, extensions.BABEL_SLOT_ATTRIBUTE)
        assert cached is not None and cached is extensions.babel.domain_instance.get_translations()
        with force_locale("en"):  # Flask-Babel resets the slot itself, so the forced language is honoured
            assert getattr(slot, extensions.BABEL_SLOT_ATTRIBUTE, None) is None
        refresh()
        assert getattr(slot, extensions.BABEL_SLOT_ATTRIBUTE, None) is None


def test_wtforms_input_widgets_write_their_attributes_through_the_html_params_hook():
    assert widgets.Input.html_params is wtforms_html_params

    class Ours(Form):
        name = StringField(widget=our_widgets.TextInput())

    class Theirs(Form):
        name = StringField()

    attributes = {"class_": "wide", "required": True, "disabled": False, "data_x": 'a"b', "maxlength": 200}
    assert str(Ours().name(**attributes)) == str(Theirs().name(**attributes))
