"""The badge PDF: A4 sheets of eight 90 × 55 mm badges with cut marks, or one badge a page for a label printer.

A badge shows the name large in the person's own script, optionally the name again in Latin letters, the
organization, the category as a colour band with its word, and the ticket's QR code, so a badge scans at the door
like the ticket. Every text shrinks until it fits its box (`eventreg.pdf.fitted`): a long name gets a smaller size
and more lines, never a cut, and a double-barrelled one breaks after its hyphen, not inside a word. Drawn with
`eventreg.pdf`, whose fonts print Kazakh, Russian and Chinese.
"""

import io
import zlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from eventreg import tickets
from eventreg.pdf import FAMILY, LINE_SPACING, POINT, draw_lines, fitted, new_document


@dataclass(frozen=True)
class Layout:
    label: object  # a lazy translated string
    width: float  # one badge, mm
    height: float
    per_sheet: tuple | None = None  # (columns, rows) on an A4 page; None: one badge a page of the badge's size


A4 = (210, 297)
LAYOUTS = {
    "a4": Layout(_l("A4 sheets: 8 badges of 90 × 55 mm, with cut marks"), 90, 55, (2, 4)),
    "label-102x76": Layout(_l("Label printer: 102 × 76 mm (4 × 3 in), one badge a label"), 101.6, 76.2),
    "label-90x55": Layout(_l("Label printer: 90 × 55 mm, one badge a label"), 90, 55),
}
CUT_MARK = (3, 10)  # mm from the badge's edge: where a cut mark starts and ends, in the sheet's margin

# The default categories' colours, by key: a key is the same at every seminar and stays when the organizer renames
# or reorders categories, so "student" is green on every badge ever printed (a position would change with a
# reorder; a colour field would be one more thing to set for every seminar). Other keys take a colour of PALETTE by
# a checksum of the key: stable, without a column.
CATEGORY_COLOURS = {
    "expert": (11, 92, 171),
    "government": (120, 40, 140),
    "business": (196, 90, 0),
    "academic": (0, 110, 120),
    "student": (15, 123, 61),
    "media": (179, 38, 30),
    "general": (70, 80, 95),
}
PALETTE = ((11, 92, 171), (120, 40, 140), (196, 90, 0), (0, 110, 120), (15, 123, 61), (179, 38, 30), (70, 80, 95),
           (150, 110, 0), (30, 60, 110), (160, 30, 90))
GREY = (91, 102, 117)
INK = (27, 36, 48)


@dataclass(frozen=True)
class BadgeContent:
    """Everything one badge prints."""

    full_name: str
    latin_name: str  # "" when not wanted or the same as the name
    organization: str
    category: str
    category_key: str
    qr_payload: str


def category_colour(key):
    return CATEGORY_COLOURS.get(key) or PALETTE[zlib.crc32(key.encode("utf-8")) % len(PALETTE)]


def _text_colour(fill):
    """White on a dark band, ink on a light one (relative luminance, WCAG's weights)."""
    red, green, blue = fill
    return (255, 255, 255) if 0.2126 * red + 0.7152 * green + 0.0722 * blue < 150 else INK


def badges_pdf(title, badges, layout):
    """The PDF bytes: every badge of `badges` (an iterable of BadgeContent) in `layout` (a LAYOUTS key)."""
    pdf = new_document(title)
    draw_badges(pdf, badges, layout, FAMILY)
    return bytes(pdf.output())


def draw_badges(pdf, badges, layout, family):
    """The badges on new pages of `pdf`, in the font `family` (another than eventreg's only for the benchmark's
    ceiling, bench/pdf.py)."""
    shape = LAYOUTS[layout]
    pdf.set_auto_page_break(False)
    pdf.c_margin = 0  # boxes are measured to the millimetre; the badge's own padding keeps text off the edges
    slots = _slots(shape)
    for index, badge in enumerate(badges):
        slot = index % len(slots)
        if slot == 0:
            _new_page(pdf, shape)
        draw(pdf, badge, *slots[slot], shape.width, shape.height, family)


def _slots(shape):
    """The top-left corner of each badge on a page."""
    if shape.per_sheet is None:
        return [(0, 0)]
    columns, rows = shape.per_sheet
    left, top = _sheet_origin(shape)
    return [(left + column * shape.width, top + row * shape.height) for row in range(rows) for column in range(columns)]


def _sheet_origin(shape):
    columns, rows = shape.per_sheet
    return (A4[0] - columns * shape.width) / 2, (A4[1] - rows * shape.height) / 2


def _new_page(pdf, shape):
    if shape.per_sheet is None:
        pdf.add_page(format=(shape.width, shape.height))
        return
    pdf.add_page(format=A4)
    _cut_marks(pdf, shape)


def _cut_marks(pdf, shape):
    """Short lines in the margin on every line between badges (and around them), never on a badge."""
    columns, rows = shape.per_sheet
    left, top = _sheet_origin(shape)
    right, bottom = left + columns * shape.width, top + rows * shape.height
    near, far = CUT_MARK
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    for column in range(columns + 1):
        x = left + column * shape.width
        pdf.line(x, top - far, x, top - near)
        pdf.line(x, bottom + near, x, bottom + far)
    for row in range(rows + 1):
        y = top + row * shape.height
        pdf.line(left - far, y, left - near, y)
        pdf.line(right + near, y, right + far, y)


def draw(pdf, badge, x, y, width, height, family):
    """One badge with its top-left corner at (x, y): texts on the left, the QR code on the right, the band below."""
    scale = height / 55
    pad, band = 4 * scale, 9 * scale
    qr = min(height - band - 2 * pad, 0.34 * (width - 2 * pad))
    column = width - 2 * pad - qr - 3 * scale
    room = height - band - 2 * pad
    pdf.image(io.BytesIO(tickets.qr_png(badge.qr_payload)), x=x + width - pad - qr, y=y + pad + (room - qr) / 2,
              w=qr, h=qr)
    top = y + pad
    top = _text(pdf, family, badge.full_name, x + pad, top, column, room * 0.56, "B", 20 * scale, INK)
    if badge.latin_name:
        top = _text(pdf, family, badge.latin_name, x + pad, top, column, room * 0.14, "", 9 * scale, GREY)
    if badge.organization:
        _text(pdf, family, badge.organization, x + pad, top + scale, column, y + pad + room - top - scale, "",
              9 * scale, INK)
    _band(pdf, family, badge, x, y + height - band, width, band, pad, scale)


def _band(pdf, family, badge, x, y, width, height, pad, scale):
    colour = category_colour(badge.category_key)
    pdf.set_fill_color(*colour)
    pdf.rect(x, y, width, height, style="F")
    size, [lines] = fitted(pdf, [badge.category.upper()], width - 2 * pad, height * 0.8, style="B",
                           largest=12 * scale, family=family)
    pdf.set_text_color(*_text_colour(colour))
    line = size * POINT * LINE_SPACING
    draw_lines(pdf, lines, x + pad, y + (height - line * len(lines)) / 2, width - 2 * pad, line, "C")


def _text(pdf, family, text, x, y, width, height, style, largest, colour):
    """`text` at the largest size (at most `largest` points) whose lines fit width × height; returns the y below."""
    size, [lines] = fitted(pdf, [text], width, height, style=style, largest=largest, family=family)
    pdf.set_text_color(*colour)
    return draw_lines(pdf, lines, x, y, width, size * POINT * LINE_SPACING)
