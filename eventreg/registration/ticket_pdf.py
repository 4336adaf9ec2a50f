"""The printable PDF ticket: the person's name, the seminar, and a QR code large enough to scan on paper.

A ticket is made from its `TicketContent` (every text it prints, in the registrant's language, and the QR
payload) and nothing else, so the finished PDF is kept per process by that content: an attendee opening the
ticket again gets the same bytes without the work, and any change to the registration or the seminar makes
another content, hence a new PDF. `draw` is shared with the benchmark's ceiling (bench/pdf.py), which draws the
same ticket with a built-in font.
"""

import functools
import io
from dataclasses import dataclass

from flask_babel import gettext as _

from eventreg import tickets
from eventreg.formatting import datetime_in, time_in, zone_label
from eventreg.pdf import FAMILY, new_document
from eventreg.seminars.content import localized

QR_SIZE_MM = 70


@dataclass(frozen=True)
class TicketContent:
    heading: str
    title: str
    details: tuple  # the date line and the venue line, each printed when not empty
    full_name: str
    about: tuple  # category, organization, university
    note: str  # "show this code" and the ticket's link
    qr_payload: str


def ticket_content(registration, ticket_url):
    """What the ticket prints, in the current language: on a ticket's pages the registrant's own, unless the
    visitor chose another with the switcher (`eventreg._select_locale`)."""
    seminar = registration.seminar
    where = ", ".join(p for p in (localized(seminar, "venue"), localized(seminar, "address")) if p)
    when = f"{datetime_in(seminar.starts_at, seminar, 'full')}–{time_in(seminar.ends_at, seminar)}"
    return TicketContent(
        heading=_("Ticket"),
        title=localized(seminar, "title"),
        details=(f"{when} ({zone_label(seminar)})", where),
        full_name=registration.full_name,
        about=(localized(registration.category, "label"), registration.organization or "",
               registration.university or ""),
        note=_("Show this code at the entrance.") + " " + ticket_url,
        qr_payload=tickets.ticket_payload(registration),
    )


def ticket_pdf(registration, ticket_url):
    return ticket_document(ticket_content(registration, ticket_url))


@functools.lru_cache(maxsize=128)
def ticket_document(content):
    """The PDF bytes of one ticket (~25 KB; 128 of them are ~3 MB a worker)."""
    pdf = new_document(f"{content.heading}: {content.title}")
    draw(pdf, content, FAMILY)
    return bytes(pdf.output())


def draw(pdf, content, family):
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_draw_color(11, 92, 171)
    pdf.set_line_width(0.6)
    pdf.set_xy(pdf.l_margin + 8, 22)
    pdf.set_font(family, size=10)
    pdf.set_text_color(91, 102, 117)
    pdf.cell(width - 16, 6, content.heading.upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 8)
    pdf.set_text_color(27, 36, 48)
    pdf.set_font(family, "B", 18)
    pdf.multi_cell(width - 16, 9, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=11)
    for line in content.details:
        if line:
            pdf.set_x(pdf.l_margin + 8)
            pdf.multi_cell(width - 16, 6, line, new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 6
    png = tickets.qr_png(content.qr_payload)
    pdf.image(io.BytesIO(png), x=pdf.l_margin + 8, y=top, w=QR_SIZE_MM, h=QR_SIZE_MM)
    text_x = pdf.l_margin + 8 + QR_SIZE_MM + 8
    pdf.set_xy(text_x, top + 6)
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(pdf.w - pdf.r_margin - 8 - text_x, 8, content.full_name, new_x="LEFT", new_y="NEXT")
    pdf.set_font(family, size=11)
    for line in content.about:
        if line:
            pdf.multi_cell(pdf.w - pdf.r_margin - 8 - text_x, 6, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + 8, top + QR_SIZE_MM + 4)
    pdf.set_font(family, size=9)
    pdf.set_text_color(91, 102, 117)
    pdf.multi_cell(width - 16, 5, content.note, new_x="LMARGIN", new_y="NEXT")
    # The frame is drawn last, around whatever height a long title or name took.
    pdf.rect(pdf.l_margin, 15, width, pdf.get_y() + 8 - 15)
