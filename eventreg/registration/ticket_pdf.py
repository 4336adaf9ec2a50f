"""The printable PDF ticket: the person's name, the seminar, and a QR code large enough to scan on paper."""

import io

from flask_babel import gettext as _

from eventreg import tickets
from eventreg.formatting import datetime_in, time_in, zone_label
from eventreg.pdf import FAMILY, new_document

QR_SIZE_MM = 70


def ticket_pdf(registration, ticket_url):
    seminar = registration.seminar
    pdf = new_document(f"{_('Ticket')}: {seminar.title}")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_draw_color(11, 92, 171)
    pdf.set_line_width(0.6)
    pdf.set_xy(pdf.l_margin + 8, 22)
    pdf.set_font(FAMILY, size=10)
    pdf.set_text_color(91, 102, 117)
    pdf.cell(width - 16, 6, _("Ticket").upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 8)
    pdf.set_text_color(27, 36, 48)
    pdf.set_font(FAMILY, "B", 18)
    pdf.multi_cell(width - 16, 9, seminar.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    when = f"{datetime_in(seminar.starts_at, seminar, 'EEEE, d MMMM y, HH:mm')}–{time_in(seminar.ends_at, seminar)}"
    for line in (when + f" ({zone_label(seminar)})", ", ".join(p for p in (seminar.venue, seminar.address) if p)):
        if line:
            pdf.set_x(pdf.l_margin + 8)
            pdf.multi_cell(width - 16, 6, line, new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 6
    png = tickets.qr_png(tickets.qr_payload(registration.token))
    pdf.image(io.BytesIO(png), x=pdf.l_margin + 8, y=top, w=QR_SIZE_MM, h=QR_SIZE_MM)
    text_x = pdf.l_margin + 8 + QR_SIZE_MM + 8
    pdf.set_xy(text_x, top + 6)
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(pdf.w - pdf.r_margin - 8 - text_x, 8, registration.full_name, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FAMILY, size=11)
    for line in (registration.category.label, registration.organization, registration.university):
        if line:
            pdf.multi_cell(pdf.w - pdf.r_margin - 8 - text_x, 6, line, new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + 8, top + QR_SIZE_MM + 4)
    pdf.set_font(FAMILY, size=9)
    pdf.set_text_color(91, 102, 117)
    pdf.multi_cell(width - 16, 5, _("Show this code at the entrance.") + " " + ticket_url,
                   new_x="LMARGIN", new_y="NEXT")
    # The frame is drawn last, around whatever height a long title or name took.
    pdf.rect(pdf.l_margin, 15, width, pdf.get_y() + 8 - 15)
    return bytes(pdf.output())
