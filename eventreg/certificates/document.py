"""The certificate itself: an A4 landscape PDF in one or two languages side by side.

What it prints is gathered first (`CertificateContent`: every text already in its language, the pictures, the
QR payload) and drawn from that alone. Texts are printed as they are, never read as markup: a name or a text
holding `<b>` or `**` prints those characters. The name printed is the one the certificate was issued with; the
seminar's title, dates and the settings' texts are read as they are now.
"""

import io
import re
from dataclasses import dataclass

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import object_session

from eventreg import mail, tickets
from eventreg.checkin import attendance
from eventreg.formatting import date_in
from eventreg.models import Attendance, CertificateSettings, SeminarDay
from eventreg.pdf import FAMILY, draw_lines, fitted, new_document
from eventreg.seminars.content import localized

PAGE_W, PAGE_H = 297, 210
SIDE = 30  # the text's left and right margin
GAP = 12  # between two language columns
SIGN_TOP = 150  # where the signatures and the QR code begin
FOOT_TOP = PAGE_H - 22  # where the number and the verification address begin
QR_MM = 32
# The logo, titles, name and text are one block, centred between TOP and BOTTOM. Each text shrinks until it fits
# its box (the logo, the titles and the name at most these heights, the text what is left), so no wording and no
# name, however long, reaches the signatures, the QR code or the frame.
TOP, BOTTOM = 20, SIGN_TOP - 8
LOGO_H, TITLES_H, NAME_H = 24, 22, 30
LOGO_GAP, TITLES_GAP, NAME_GAP = 6, 6, 4
# Millimetres of line per point of type.
TITLE_SPACING, NAME_SPACING, TEXT_SPACING = 10 / 24, 12 / 26, 0.5
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
    draw(pdf, content, FAMILY)
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
    hours = settings.hours if settings.hours is not None else attended_hours(certificate)
    columns = tuple(_column(settings, certificate, seminar, hours, locale) for locale in languages)
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


def _column(settings, certificate, seminar, hours, locale):
    with force_locale(locale):
        title = (settings.title_line or {}).get(locale) or default_title()
        body = (settings.body_text or {}).get(locale) or default_body()
        values = {"name": certificate.holder_name, "seminar": seminar_title(seminar), "date": _unbroken(dates(seminar)),
                  "hours": format_decimal(hours, format="#,##0.#", locale=get_locale())}
    return Column(title=_PLACEHOLDER.sub(lambda match: values[match.group(1)], title),
                  body=_PLACEHOLDER.sub(lambda match: values[match.group(1)], body))


def dates(seminar):
    """The seminar's day (or first and last day) in its own zone, as the current language writes a date
    ("5 December 2026", "2026年12月5日", "2026 ж. 5 желтоқсан")."""
    said = [date_in(moment, seminar, "long") for moment in (seminar.starts_at, seminar.ends_at)]
    return " – ".join(dict.fromkeys(said))


def _unbroken(said):
    """Each date in one piece ("5 December 2026", never "5 | December 2026"): no-break spaces inside a date; a
    range still breaks at its dash."""
    return " – ".join(day.replace(" ", "\u00a0") for day in said.split(" – "))


def attended_hours(certificate):
    """The hours printed when the organizer set none: the seminar's length; over several days, the hours of the
    days the holder came (not the nights between them, nor a day they missed). Someone checked in before the
    seminar was split into days has no day of their own, and gets all of them."""
    seminar = certificate.seminar
    spans = [(seminar.starts_at, seminar.ends_at)]
    if seminar.has_days:
        spans = object_session(certificate).execute(
            select(SeminarDay.starts_at, SeminarDay.ends_at)
            .join(Attendance, attendance.which(Attendance, SeminarDay.id))
            .where(Attendance.registration_id == certificate.registration_id)
        ).all() or [(day.starts_at, day.ends_at) for day in seminar.days]
    return round(sum((end - start).total_seconds() for start, end in spans) / 3600, 1)


# --- how it looks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    """Texts fitted to their boxes, one size for all (the two languages' titles match): each box's lines are drawn
    centred in it."""

    family: str
    size: float
    style: str
    colour: tuple
    spacing: float  # mm of line per point
    boxes: tuple  # of ((x, width), lines)

    @property
    def height(self):
        return max(len(lines) for _, lines in self.boxes) * self.size * self.spacing


def _block(pdf, family, texts, boxes, height, *, largest, spacing, style="", colour=INK):
    """A _Block of `texts`, one a box of `boxes` ((x, width) each, of one width), at most `height` mm tall."""
    size, lines = fitted(pdf, texts, boxes[0][1], height, largest=largest, style=style, spacing=spacing,
                         family=family)
    return _Block(family, size, style, colour, spacing, tuple(zip(boxes, lines, strict=True)))


def _draw_block(pdf, block, top):
    """The block with its top at `top`; returns the y below it."""
    pdf.set_font(block.family, block.style, block.size)
    pdf.set_text_color(*block.colour)
    for (x, width), lines in block.boxes:
        draw_lines(pdf, lines, x, top, width, block.size * block.spacing, "C")
    return top + block.height


def draw(pdf, content, family):
    """The certificate on a new page, in the font `family` (another than eventreg's only for the benchmark's
    ceiling, bench/pdf.py)."""
    pdf.set_auto_page_break(False)
    pdf.set_margins(SIDE, 15, SIDE)
    pdf.add_page()
    _frame(pdf)
    _middle(pdf, content, family)
    _signatories(pdf, content.signatories, family)
    pdf.image(io.BytesIO(tickets.qr_png(content.qr_payload)), x=PAGE_W - SIDE - QR_MM, y=SIGN_TOP - 4,
              w=QR_MM, h=QR_MM)
    pdf.set_xy(SIDE, FOOT_TOP)
    pdf.set_font(family, size=8)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(PAGE_W - 2 * SIDE, 4, content.footer, align="C")


def _middle(pdf, content, family):
    """The logo, the titles, the name and the text, measured first, then drawn centred between TOP and BOTTOM."""
    logo = _fit(content.logo, 70, LOGO_H) if content.logo else None
    columns = _column_boxes(len(content.columns))
    titles = _block(pdf, family, [column.title for column in content.columns], columns, TITLES_H, style="B",
                    colour=BLUE, largest=24 if len(columns) == 1 else 18, spacing=TITLE_SPACING)
    name = _block(pdf, family, [content.holder_name], [(SIDE, PAGE_W - 2 * SIDE)], NAME_H, style="B", largest=26,
                  spacing=NAME_SPACING)
    above = (logo[1] + LOGO_GAP if logo else 0) + titles.height + TITLES_GAP + name.height + NAME_GAP
    bodies = _block(pdf, family, [column.body for column in content.columns], columns, BOTTOM - TOP - above, largest=14,
                    spacing=TEXT_SPACING)
    y = TOP + (BOTTOM - TOP - above - bodies.height) / 2
    if logo:
        pdf.image(io.BytesIO(content.logo), x=(PAGE_W - logo[0]) / 2, y=y, w=logo[0], h=logo[1])
        y += logo[1] + LOGO_GAP
    y = _draw_block(pdf, titles, y) + TITLES_GAP
    _draw_block(pdf, bodies, _draw_block(pdf, name, y) + NAME_GAP)


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


def _column_boxes(count):
    width = (PAGE_W - 2 * SIDE - GAP * (count - 1)) / count
    return [(SIDE + index * (width + GAP), width) for index in range(count)]


def _signatories(pdf, signatories, family):
    """Side by side left of the QR code: the signature above a line, the name and position below it, shrunk to
    end above the footer."""
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
        box = [(x, width)]
        y = _draw_block(pdf, _block(pdf, family, [name], box, 10, style="B", largest=10, spacing=0.5), SIGN_TOP + 18)
        _draw_block(pdf, _block(pdf, family, [position], box, FOOT_TOP - 1 - y, largest=8, spacing=0.5, colour=GREY),
                    y)
