"""The certificate itself: an A4 landscape PDF in one or two languages side by side.

What it prints is gathered first (`CertificateContent`: every text already in its language, the pictures, the
QR payload) and drawn from that alone. Texts are printed as they are, never read as markup: a name or a text
holding `<b>` or `**` prints those characters. The name printed is the one the certificate was issued with; the
seminar's title, dates and the settings' texts are read as they are now.
"""

import io
import re
from dataclasses import dataclass

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import object_session

from eventreg import mail, tickets
from eventreg.formatting import date_locale
from eventreg.models import CertificateSettings
from eventreg.pdf import FAMILY, new_document
from eventreg.seminars.content import localized

PAGE_W, PAGE_H = 297, 210
SIDE = 30  # the text's left and right margin
GAP = 12  # between two language columns
SIGN_TOP = 150  # where the signatures and the QR code begin
QR_MM = 32
BLUE = (11, 92, 171)
INK = (27, 36, 48)
GREY = (91, 102, 117)
_PLACEHOLDER = re.compile(r"\{(name|seminar|date|hours)\}")


@dataclass(frozen=True)
class Column:
    """One language's texts."""

    title: str
    body: str


@dataclass(frozen=True)
class CertificateContent:
    document_title: str
    columns: tuple  # of Column, one or two
    holder_name: str
    signatories: tuple  # of (name, position, signature PNG or None)
    logo: bytes | None
    footer: str  # the number and where to verify it
    qr_payload: str


def default_title():
    return _("Certificate of attendance")


def default_body():
    """The wording when the organizer wrote none for a language; the name is printed above it."""
    return _("has attended the seminar “{seminar}” held on {date} ({hours} hours).")


def verify_url(certificate):
    # From PUBLIC_URL, never a request's Host header: the printed link must lead to this site.
    return mail.absolute_url(f"/verify/{certificate.code}")


def filename(certificate):
    return f"certificate-{certificate.number}.pdf"


def certificate_pdf(certificate):
    """The PDF bytes of one certificate."""
    settings = object_session(certificate).scalar(
        select(CertificateSettings).where(CertificateSettings.seminar_id == certificate.seminar_id))
    return render(certificate_content(certificate, settings or CertificateSettings()))


def render(content):
    pdf = new_document(content.document_title, orientation="landscape")
    draw(pdf, content)
    return bytes(pdf.output())


# --- what it says -----------------------------------------------------------------------------------------------


def locales(settings, registration):
    """The languages printed: the settings' one or two, "" meaning the attendee's own (else the site's default)."""
    offered = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    own = registration.language if registration.language in offered else default
    chosen = [code or own for code in (settings.languages or [""])]
    return tuple(dict.fromkeys(code for code in chosen if code in offered)) or (default,)


def certificate_content(certificate, settings):
    registration = certificate.registration
    seminar = certificate.seminar
    languages = locales(settings, registration)
    columns = tuple(_column(settings, certificate, seminar, locale) for locale in languages)
    with force_locale(languages[0]):
        footer = _("Certificate No. %(number)s · Verify: %(url)s", number=certificate.number,
                   url=verify_url(certificate))
        document_title = f"{columns[0].title}: {seminar_title(seminar)}"
    return CertificateContent(
        document_title=document_title, columns=columns, holder_name=certificate.holder_name,
        signatories=tuple((s.name, s.position, s.signature_png) for s in settings.signatories),
        logo=settings.logo_png, footer=footer, qr_payload=verify_url(certificate),
    )


def seminar_title(seminar):
    """The seminar's title in the language being written (each column of a bilingual certificate its own)."""
    return localized(seminar, "title")


def _column(settings, certificate, seminar, locale):
    with force_locale(locale):
        title = (settings.title_line or {}).get(locale) or default_title()
        body = (settings.body_text or {}).get(locale) or default_body()
        values = {"name": certificate.holder_name, "seminar": seminar_title(seminar), "date": dates(seminar),
                  "hours": _hours_text(settings, seminar)}
    return Column(title=_PLACEHOLDER.sub(lambda match: values[match.group(1)], title),
                  body=_PLACEHOLDER.sub(lambda match: values[match.group(1)], body))


def dates(seminar):
    """The seminar's day (or first and last day) in its own zone, in the current language."""
    first, last = (seminar.local(moment).date() for moment in (seminar.starts_at, seminar.ends_at))
    said = [format_date(day, "long", locale=date_locale()) for day in dict.fromkeys((first, last))]
    return " – ".join(said)


def _hours_text(settings, seminar):
    hours = settings.hours
    if hours is None:
        hours = round((seminar.ends_at - seminar.starts_at).total_seconds() / 3600, 1)
    return format_decimal(hours, format="#,##0.#", locale=get_locale())


# --- how it looks ------------------------------------------------------------------------------------------------


def draw(pdf, content):
    pdf.set_auto_page_break(False)
    pdf.set_margins(SIDE, 15, SIDE)
    pdf.add_page()
    _frame(pdf)
    y = _logo(pdf, content.logo, 18) if content.logo else 24
    y = _titles(pdf, content.columns, y)
    y = _name(pdf, content.holder_name, y + 6)
    _bodies(pdf, content.columns, y + 4, SIGN_TOP - 6)
    _signatories(pdf, content.signatories)
    pdf.image(io.BytesIO(tickets.qr_png(content.qr_payload)), x=PAGE_W - SIDE - QR_MM, y=SIGN_TOP - 4,
              w=QR_MM, h=QR_MM)
    pdf.set_xy(SIDE, PAGE_H - 22)
    pdf.set_font(FAMILY, size=8)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(PAGE_W - 2 * SIDE, 4, content.footer, align="C")


def _frame(pdf):
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.8)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, PAGE_W - 22, PAGE_H - 22)


def _fit(png, width, height):
    """The largest size of the picture inside width × height (mm), its proportions kept."""
    pixels_w, pixels_h = Image.open(io.BytesIO(png)).size
    scale = min(width / pixels_w, height / pixels_h)
    return pixels_w * scale, pixels_h * scale


def _logo(pdf, png, top):
    w, h = _fit(png, 70, 24)
    pdf.image(io.BytesIO(png), x=(PAGE_W - w) / 2, y=top, w=w, h=h)
    return top + h + 6


def _column_boxes(count):
    width = (PAGE_W - 2 * SIDE - GAP * (count - 1)) / count
    return [(SIDE + index * (width + GAP), width) for index in range(count)]


def _titles(pdf, columns, top):
    pdf.set_text_color(*BLUE)
    pdf.set_font(FAMILY, "B", 24 if len(columns) == 1 else 18)
    bottom = top
    for (x, width), column in zip(_column_boxes(len(columns)), columns, strict=True):
        pdf.set_xy(x, top)
        pdf.multi_cell(width, 10, column.title, align="C")
        bottom = max(bottom, pdf.get_y())
    return bottom


def _name(pdf, name, top):
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 26)
    pdf.set_xy(SIDE, top)
    pdf.multi_cell(PAGE_W - 2 * SIDE, 12, name, align="C")
    return pdf.get_y()


def _bodies(pdf, columns, top, bottom):
    """Each language's text under its title, in the largest size (14 pt down to 8) at which all of them fit."""
    boxes = list(zip(_column_boxes(len(columns)), columns, strict=True))
    size = 14
    while size > 8 and any(_height(pdf, width, column.body, size) > bottom - top for (_, width), column in boxes):
        size -= 1
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, size=size)
    for (x, width), column in boxes:
        pdf.set_xy(x, top)
        pdf.multi_cell(width, size * 0.5, column.body, align="C")


def _height(pdf, width, text, size):
    pdf.set_font(FAMILY, size=size)
    return len(pdf.multi_cell(width, size * 0.5, text, dry_run=True, output="LINES")) * size * 0.5


def _signatories(pdf, signatories):
    if not signatories:
        return
    area = PAGE_W - 2 * SIDE - QR_MM - 10
    width = min(70, area / len(signatories))
    for index, (name, position, png) in enumerate(signatories):
        x = SIDE + index * width
        if png:
            w, h = _fit(png, width - 10, 16)
            pdf.image(io.BytesIO(png), x=x + (width - w) / 2, y=SIGN_TOP + 16 - h, w=w, h=h)
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.2)
        pdf.line(x + 5, SIGN_TOP + 17, x + width - 5, SIGN_TOP + 17)
        pdf.set_text_color(*INK)
        pdf.set_font(FAMILY, "B", 10)
        pdf.set_xy(x, SIGN_TOP + 18)
        pdf.multi_cell(width, 5, name, align="C")
        pdf.set_font(FAMILY, size=8)
        pdf.set_text_color(*GREY)
        pdf.set_x(x)
        pdf.multi_cell(width, 4, position, align="C")
