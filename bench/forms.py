"""Filling a page's HTML form as a browser would: every field the page offers, with sensible answers."""

import re
from html import unescape
from html.parser import HTMLParser

_CSRF = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form["fields"].append({"tag": "input", "type": (attrs.get("type") or "text").lower(),
                                         "name": attrs.get("name"), "value": attrs.get("value") or "",
                                         "checked": "checked" in attrs, "required": "required" in attrs})
        elif tag == "textarea":
            self._form["fields"].append({"tag": "textarea", "type": "textarea", "name": attrs.get("name"),
                                         "value": "", "required": "required" in attrs})
        elif tag == "select":
            self._select = {"tag": "select", "type": "select", "name": attrs.get("name"), "options": [],
                            "required": "required" in attrs}
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "label": "", "selected": "selected" in attrs,
                            "disabled": "disabled" in attrs}
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None:
            if self._option["value"] is None:
                self._option["value"] = self._option["label"].strip()
            self._option = None


def find_form(html, containing):
    """The POST form of the page that has a field named `containing`."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and any(f["name"] == containing for f in form["fields"]):
            return form
    raise LookupError(f"no POST form with a field named {containing!r} on the page")


def fill(form, answers, *, prefer=()):
    """The form's data as a browser would send it.

    `answers` maps field names to values (text inputs, and choices by value or visible label);
    checkboxes named in `answers` with a true value are ticked, others keep their state; radio groups
    and selects take the answer, else an option whose label or value contains one of `prefer`, else the
    one already selected, else the first. Hidden inputs keep their value; unknown text fields stay empty
    (an untouched honeypot stays empty too).
    """
    data = []
    radios = {}
    for f in form["fields"]:
        name, kind = f["name"], f["type"]
        if not name or kind in ("submit", "button", "image", "reset", "file"):
            continue
        if kind == "checkbox":
            if answers.get(name) or (f["checked"] and name not in answers):
                data.append((name, f["value"] or "y"))
        elif kind == "radio":
            radios.setdefault(name, []).append({"value": f["value"], "label": f["value"],
                                                "selected": f["checked"], "disabled": False})
        elif kind == "select":
            data.append((name, _choose(f["options"], answers.get(name), prefer)))
        elif kind == "hidden":
            data.append((name, answers.get(name, f["value"])))
        else:
            data.append((name, answers.get(name, f["value"])))
    for name, options in radios.items():
        data.append((name, _choose(options, answers.get(name), prefer)))
    return data


def _choose(options, answer, prefer):
    usable = [o for o in options if not o["disabled"]]
    if answer is not None:
        for o in usable:
            if answer in (o["value"], o["label"].strip()):
                return o["value"]
    for word in prefer:
        for o in usable:
            if o["value"] and (word.lower() in o["label"].lower() or word.lower() == o["value"].lower()):
                return o["value"]
    chosen = next((o for o in usable if o["selected"]), None) or next((o for o in usable if o["value"]), None)
    return chosen["value"] if chosen else ""


def csrf_token(html):
    """The CSRF token of a page, found quickly (the load generator reads it from every form it gets)."""
    tag = _CSRF.search(html)
    value = _VALUE.search(tag.group(0)) if tag else None
    if value is None:
        raise LookupError("no csrf_token on the page")
    return unescape(value.group(1))


async def log_in(client, email, password):
    """Log in through the staff login form; returns the session cookies to send with later requests."""
    page = await client.get("/login")
    cookies = page.cookies()
    response = await client.post("/login", form={"email": email, "password": password,
                                                  "csrf_token": csrf_token(page.text)}, cookies=cookies)
    if response.status != 302:
        raise RuntimeError(f"login as {email} answered {response.status}")
    return {**cookies, **response.cookies()}
