"""Printable PDFs (A4): attendance, registration and no-show lists, university rolls, the sign-in sheet and the
summary report.

Built on `eventreg.pdf`, whose fonts render Kazakh, Russian and Chinese names. Charts in the summary PDF are
drawn with fpdf2's own shapes (rectangles, lines), so they print sharp and need no SVG support.
"""

from flask_babel import lazy_gettext as _l
from fpdf.fonts import FontFace

from eventreg.pdf import FAMILY, new_document
from eventreg.reports.days import days_of

HEADING_FILL = (238, 241, 245)
BLUE = (11, 92, 171)
GREEN = (15, 123, 61)
LIGHT = (156, 195, 234)
RED = (179, 38, 30)
GREY = (91, 102, 117)
NUMBER_WIDTH = 11  # mm: five digits at 9 pt


def _org(row):
    return row.organization or row.university or ""


def _arrival(seminar):
    return lambda row: seminar.local(row.checked_in_at).strftime("%H:%M") if row.checked_in_at else ""


def _registered(seminar):
    return lambda row: seminar.local(row.created_at).strftime("%d.%m.%Y")


def pdf_columns(seminar, list_name):
    """(header, value, width in mm) for each list; with the row number's column (NUMBER_WIDTH) the widths
    fill the 190 mm of A4 portrait (277 mm in landscape)."""
    name = (_l("Name"), lambda row: row.full_name, 47)
    category = (_l("Category"), lambda row: row.category, 28)
    org = (_l("Organization / university"), _org, 54)
    email = (_l("E-mail"), lambda row: row.email, 44)
    if list_name == "attendance" and seminar.has_days:
        # Which days each person came ("1, 3"); "Arrived" is their first arrival.
        return [name, (_l("Arrived"), _arrival(seminar), 18), (_l("Category"), lambda row: row.category, 24),
                (_l("Organization / university"), _org, 44), (_l("Gate"), lambda row: row.checked_in_gate or "", 22),
                (_l("Days"), lambda row: days_of(row, seminar), 24)]
    return {
        "attendance": [name, (_l("Arrived"), _arrival(seminar), 18), category, org,
                       (_l("Gate"), lambda row: row.checked_in_gate or "", 32)],
        # Landscape (277 mm): the widest list.
        "registrations": [(_l("Name"), lambda row: row.full_name, 55), (_l("Category"), lambda row: row.category, 32),
                          (_l("Status"), lambda row: row.status_label, 28), (_l("Organization / university"), _org, 62),
                          (_l("Registered"), _registered(seminar), 24), (_l("E-mail"), lambda row: row.email, 65)],
        "no-shows": [(_l("Name"), lambda row: row.full_name, 41), (_l("Category"), lambda row: row.category, 24),
                     (_l("Organization / university"), _org, 44), email,
                     (_l("Phone"), lambda row: row.phone or "", 26)],
        "signin-sheet": [name, category, (_l("Organization / university"), _org, 52),
                         (_l("Signature"), lambda row: "", 52)],
        "university-roll": [(_l("Name"), lambda row: row.full_name, 60),
                            (_l("Programme"), lambda row: row.programme, 42),
                            (_l("Level"), lambda row: row.level_label, 20),
                            (_l("Year"), lambda row: row.study_year, 12),
                            (_l("Attended"), lambda row: row.attended_label, 20),
                            (_l("Arrived"), _arrival(seminar), 25)],
    }[list_name]


LIST_TITLES = {
    "attendance": _l("Attendance list"),
    "registrations": _l("Registration list"),
    "no-shows": _l("No-shows"),
    "signin-sheet": _l("Sign-in sheet"),
    "university-roll": _l("University roll"),
}


def _start(seminar, heading, now, *, landscape=False):
    pdf = new_document(f"{heading} · {seminar.title}")
    pdf.footer_text = f"{seminar.title} · {heading}"
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page(orientation="landscape" if landscape else "portrait")
    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(0, 7, str(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, seminar.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*GREY)
    when = seminar.local(seminar.starts_at).strftime("%d.%m.%Y %H:%M")
    pdf.multi_cell(0, 5, f"{when} ({seminar.timezone}) · {seminar.venue}", new_x="LMARGIN", new_y="NEXT")
    generated = seminar.local(now).strftime("%d.%m.%Y %H:%M")
    pdf.multi_cell(0, 5, str(_l("Generated %(when)s", when=generated)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    return pdf


def draw_table(pdf, columns, rows, *, line_height, padding=1, family=FAMILY):
    """The list as a table, one row per person; returns how many. (`family`: the benchmark's ceiling draws the
    same table in a built-in font.)"""
    pdf.set_font(family, "", 9)
    count = 0
    with pdf.table(col_widths=[NUMBER_WIDTH] + [width for _, _, width in columns],
                   width=NUMBER_WIDTH + sum(w for _, _, w in columns),
                   line_height=line_height, headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
                   text_align="LEFT", padding=padding) as table:
        heading = table.row()
        heading.cell("#")
        for header, _, _ in columns:
            heading.cell(str(header))
        for count, row in enumerate(rows, 1):
            cells = table.row()
            cells.cell(str(count))
            for _, value, _ in columns:
                cells.cell(str(value(row) or ""))
    return count


def _finish(pdf, total_label, count):
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 9)
    pdf.cell(0, 5, f"{total_label}: {count}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def list_pdf(seminar, list_name, rows, *, now, subject=None):
    """`subject` (a roll's university) follows the list's title."""
    heading = f"{LIST_TITLES[list_name]}: {subject}" if subject else LIST_TITLES[list_name]
    pdf = _start(seminar, heading, now, landscape=list_name == "registrations")
    count = draw_table(pdf, pdf_columns(seminar, list_name), rows, line_height=4.5)
    return _finish(pdf, _l("People"), count)


def signin_pdf(seminar, rows, *, now):
    pdf = _start(seminar, LIST_TITLES["signin-sheet"], now)
    count = draw_table(pdf, pdf_columns(seminar, "signin-sheet"), rows, line_height=5, padding=(3, 1))
    return _finish(pdf, _l("People"), count)


def _percent(value):
    return "–" if value is None else f"{value * 100:.0f}%"


def _section(pdf, title, height):
    """A heading, on a new page when the section would not fit below it."""
    if pdf.get_y() + height + 12 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 7, str(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)


def _fit(pdf, text, width):
    """`text` shortened with an ellipsis to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _bars(pdf, title, rows, colours, note=None):
    """Horizontal bars: a label, one bar per series, the numbers at the end (as on the summary page)."""
    bar, label_width, width = 3, 62, 100
    row_height = max(5, len(colours) * (bar + 0.8) + 1.5)
    _section(pdf, title, min(len(rows), 6) * row_height)
    largest = max((v for _, values, _ in rows for v in values), default=0) or 1
    left = pdf.l_margin
    for label, values, text in rows:
        if pdf.get_y() + row_height > pdf.page_break_trigger:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_xy(left, y)
        pdf.cell(label_width, row_height, _fit(pdf, label, label_width - 2))
        for index, (value, colour) in enumerate(zip(values, colours, strict=True)):
            pdf.set_fill_color(*colour)
            pdf.rect(left + label_width, y + 0.8 + index * (bar + 0.8), max(width * value / largest, 0.3), bar,
                     style="F")
        pdf.set_xy(left + label_width + width + 2, y)
        pdf.cell(0, row_height, text)
        pdf.set_y(y + row_height)
    if note:
        pdf.set_text_color(*GREY)
        pdf.cell(0, 5, str(note), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)


def _headline(pdf, figures):
    h = figures
    items = [
        (_l("Confirmed"), h.confirmed), (_l("Checked in"), h.checked_in),
        (_l("Waiting list"), h.waitlisted), (_l("No-shows"), h.no_shows),
        (_l("Pending approval"), h.pending), (_l("Walk-ins"), h.walk_ins),
        (_l("Cancelled"), h.cancelled), (_l("Turnout"), _percent(h.turnout)),
        (_l("Rejected"), h.rejected),
        (_l("Capacity used"), f"{_percent(h.capacity_used)} ({h.confirmed}/{h.capacity})" if h.capacity else "–"),
    ]
    _section(pdf, _l("Headline figures"), 30)
    with pdf.table(col_widths=(55, 40, 55, 40), text_align=("LEFT", "RIGHT", "LEFT", "RIGHT"),
                   first_row_as_headings=False, line_height=6, padding=1) as table:
        for index in range(0, len(items), 2):
            row = table.row()
            for label, value in items[index:index + 2]:
                row.cell(str(label))
                row.cell(str(value))


def _frame(pdf, height):
    """A chart area below the current position: (left, top, width, bottom), with its axis drawn."""
    if pdf.get_y() + height + 8 > pdf.page_break_trigger:
        pdf.add_page()
    left, top, width = pdf.l_margin + 10, pdf.get_y() + 2, pdf.epw - 12
    bottom = top + height
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.line(left, bottom, left + width, bottom)
    return left, top, width, bottom


def _days(pdf, summary):
    days = summary.days
    _section(pdf, _l("Registrations per day up to the seminar"), 55)
    left, top, width, bottom = _frame(pdf, 45)
    step = width / len(days)
    most = max(d.count for d in days) or 1
    total = days[-1].cumulative or 1
    pdf.set_fill_color(*LIGHT)
    for index, day in enumerate(days):
        h = 45 * day.count / most
        pdf.rect(left + index * step + step * 0.15, bottom - h, step * 0.7, h, style="F")
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.6)
    pdf.polyline([(left + i * step + step / 2, bottom - 45 * d.cumulative / total) for i, d in enumerate(days)])
    pdf.set_line_width(0.2)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_xy(pdf.l_margin, top - 1)
    pdf.cell(9, 4, str(total), align="R")
    pdf.set_xy(left, bottom + 1)
    pdf.cell(width / 2, 4, days[0].day.strftime("%d.%m.%Y"))
    pdf.cell(width / 2, 4, days[-1].day.strftime("%d.%m.%Y"), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, str(_l("Bars: registrations per day (most: %(most)s). Line: running total (%(total)s).",
                          most=most, total=total)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, "", 9)


def _arrivals(pdf, summary):
    buckets = summary.arrivals
    _section(pdf, _l("Arrivals per %(minutes)s minutes", minutes=5), 55)
    left, top, width, bottom = _frame(pdf, 45)
    step = width / len(buckets)
    most = max(b.count for b in buckets) or 1
    pdf.set_fill_color(*GREEN)
    for index, bucket in enumerate(buckets):
        h = 45 * bucket.count / most
        pdf.rect(left + index * step + step * 0.1, bottom - h, step * 0.8, h, style="F")
    pdf.set_font(FAMILY, "", 8)
    for index, bucket in enumerate(buckets):
        if bucket.is_start:
            x = left + index * step
            pdf.set_draw_color(*RED)
            pdf.set_line_width(0.5)
            with pdf.local_context(dash_pattern={"dash": 1.5, "gap": 1}):
                pdf.line(x, top, x, bottom)
            pdf.set_text_color(*RED)
            pdf.set_xy(x + 1, top)
            pdf.cell(30, 4, str(_l("Start %(time)s", time=summary.local_time(summary.seminar.starts_at))))
            pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(0.2)
    pdf.set_xy(pdf.l_margin, top - 1)
    pdf.cell(9, 4, str(most), align="R")
    pdf.set_xy(left, bottom + 1)
    pdf.cell(width / 2, 4, summary.local_time(buckets[0].starts_at))
    pdf.cell(width / 2, 4, summary.local_time(buckets[-1].starts_at), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)


def summary_pdf(summary, *, now):
    pdf = _start(summary.seminar, _l("Summary report"), now)
    _headline(pdf, summary.headline)
    two = (BLUE, GREEN)
    legend = _l("Blue: registered (confirmed). Green: attended (checked in).")

    def pairs(rows):
        return [(r.label, (r.registered, r.attended), f"{r.registered} / {r.attended} · {_percent(r.turnout)}")
                for r in rows]

    def singles(rows):
        return [(label, (n,), str(n)) for label, n in rows]

    if summary.categories:
        _bars(pdf, _l("By category: registered / attended · turnout"), pairs(summary.categories), two, legend)
    if summary.universities:
        _bars(pdf, _l("Students by university"), pairs(summary.universities), two, legend)
    if summary.levels:
        _bars(pdf, _l("Students by level of study"), pairs(summary.levels), two, legend)
    if summary.organizations:
        _bars(pdf, _l("Top organizations"), pairs(summary.organizations), two, legend)
    for question, rows in summary.answers:
        _bars(pdf, question.label, pairs(rows), two, legend)
    if summary.by_day:
        note = f"{_l('Attended every day')}: {summary.every_day} · {_l('Attended at least one day')}: {summary.any_day}"
        _bars(pdf, _l("Attendance by day"), [(row.label, (row.checked_in,), f"{row.checked_in} · {_percent(row.share)}")
                                             for row in summary.by_day], (GREEN,), note)
    if summary.sessions:
        _bars(pdf, _l("Sessions"), [(row.title, (row.checked_in,), f"{row.checked_in} / {row.capacity}"
                                     if row.capacity is not None else str(row.checked_in))
                                    for row in summary.sessions], (GREEN,))
    if summary.days:
        _days(pdf, summary)
    if summary.arrivals:
        _arrivals(pdf, summary)
    if summary.gates:
        _bars(pdf, _l("Check-ins per gate"), singles(summary.gates), (GREEN,))
    if summary.staff:
        _bars(pdf, _l("Check-ins per staff member"), singles(summary.staff), (GREEN,))
    if summary.refused:
        _bars(pdf, _l("Refused scans by reason"), singles(summary.refused), (RED,))
    return bytes(pdf.output())
