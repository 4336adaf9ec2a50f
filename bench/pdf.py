"""PDFs: the ticket and the attendance list against a ceiling made in the same run.

The ceiling is fpdf2 alone: a plain FPDF document with a built-in font (Helvetica, nothing to parse, subset or
embed) drawing the same one-page ticket (eventreg.registration.ticket_pdf.draw, the same QR image) and the same
attendance table (eventreg.reports.documents.draw_table) for the same rows, their names written in Latin
letters. eventreg's documents carry the shipped fonts (eventreg.pdf). Both are made in this process, one after
the other for each ticket, so a busy machine slows both alike; a figure is the median.

- ticket ms: a different person's ticket each time (so never from the ticket cache), for a Kazakh/Russian
  name, a Chinese one and a Korean one (those two also embed their fallback font); target ≤ 3 × the ceiling.
  Also the first ticket of a fresh worker (the fonts parsed) and a ticket asked for again (the cache).
- attendance list pages/s, with a Chinese name in every 20 rows; target ≥ 1/3 of the ceiling's pages/s.
- the list's memory: in a child process, the Python heap's peak (tracemalloc) while the list for the large
  number of rows is made, against that for the small one; target ≤ 2 ×.
"""

import functools
import json
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from types import SimpleNamespace

from fpdf import FPDF

from bench.results import Row
from bench.server import ROOT, SECRET_KEY
from eventreg import create_app, pdf
from eventreg.models import Seminar, new_ticket_token, utcnow
from eventreg.registration import ticket_pdf
from eventreg.reports import documents
from eventreg.tickets import qr_payload

# (as printed by eventreg, as printed by the ceiling)
PEOPLE = {
    "cyrillic": ("Аружан Сәрсенбаева", "Aruzhan Sarsenbayeva"),
    "chinese": ("李伟 (Ли Вэй)", "Li Wei (Li Vey)"),
    "korean": ("김민준 (Ким Минджун)", "Kim Minjun (Kim Mindzhun)"),
}
TITLE = ("Центральная Азия и Китай: новые маршруты", "Central Asia and China: new routes")
ORGANIZATION = ("Евразийский национальный университет", "L.N. Gumilyov Eurasian National University")


@functools.cache
def _app():
    return create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})


def run(ctx):
    sizes = ctx.sizes
    with _app().test_request_context():
        figures = {"ticket": tickets(sizes.pdf_tickets)}
        ctx.log(f"pdf: ticket {figures['ticket']['cyrillic_ms']} ms, ceiling {figures['ticket']['ceiling_ms']} ms")
        figures["list"] = list_speed(sizes.pdf_list_rows[0])
        ctx.log(f"pdf: list {figures['list']['pages_per_second']} pages/s, ceiling "
                f"{figures['list']['ceiling_pages_per_second']} pages/s")
    figures["memory"] = {rows: list_memory(rows) for rows in sizes.pdf_list_rows}
    ctx.log(f"pdf: list memory peak {figures['memory']}")
    return figures, table(figures, sizes)


def _content(person, which, n):
    """A ticket's content; `which` 0 for eventreg's text, 1 for the ceiling's Latin letters."""
    return ticket_pdf.TicketContent(
        heading="Ticket", title=TITLE[which],
        details=("Monday, 14 December 2026, 10:00–13:00 (Asia/Almaty, UTC+5)", "Beijing Palace Astana Hotel, Astana"),
        full_name=f"{PEOPLE[person][which]} {n}", about=("Expert", ORGANIZATION[which], ""),
        note=f"Show this code at the entrance. https://events.example.kz/t/{n:032x}",
        qr_payload=qr_payload(new_ticket_token()),
    )


def _ceiling_document():
    document = FPDF(orientation="portrait", unit="mm", format="A4")
    document.core_fonts_encoding = "windows-1252"  # the en dash of a time range
    return document


def _ceiling_ticket(content):
    document = _ceiling_document()
    ticket_pdf.draw(document, content, "helvetica")
    return bytes(document.output())


def _ms(make, argument):
    began = time.perf_counter()
    make(argument)
    return (time.perf_counter() - began) * 1000


def tickets(count):
    pdf._parse.cache_clear()
    pdf._face_for.cache_clear()
    pdf._small_font.cache_clear()
    ticket_pdf.ticket_document.cache_clear()
    first = _content("cyrillic", 0, 0)
    figures = {"first_in_process_ms": round(_ms(ticket_pdf.ticket_document, first), 1),
               "cached_ms": round(_ms(ticket_pdf.ticket_document, first), 3)}
    times = {"ceiling": [], **{person: [] for person in PEOPLE}}
    for n in range(1, count + 1):
        times["ceiling"].append(_ms(_ceiling_ticket, _content("cyrillic", 1, n)))
        for person in PEOPLE:
            times[person].append(_ms(ticket_pdf.ticket_document, _content(person, 0, n)))
    ticket_pdf.ticket_document.cache_clear()
    figures.update({f"{name}_ms": round(statistics.median(values), 1) for name, values in times.items()})
    figures["tickets"] = count
    return figures


def _seminar():
    starts = utcnow().replace(microsecond=0) - timedelta(hours=3)
    return Seminar(slug="pdf", title=TITLE[0], timezone="Asia/Almaty", starts_at=starts,
                   ends_at=starts + timedelta(hours=3), venue="Beijing Palace Astana Hotel", address="Astana")


def _rows(count, which, arrived):
    for n in range(count):
        person = "chinese" if n % 20 == 19 else "cyrillic"
        yield SimpleNamespace(full_name=f"{PEOPLE[person][which]} {n}", checked_in_at=arrived + timedelta(seconds=n),
                              category="Expert", organization=ORGANIZATION[which], university=None,
                              checked_in_gate="Door 1")


def _pages(document):
    return len(re.findall(rb"/Type /Page\b", document))


def list_speed(count):
    seminar, now = _seminar(), utcnow()
    began = time.perf_counter()
    listed = documents.list_pdf(seminar, "attendance", _rows(count, 0, seminar.starts_at), now=now)
    seconds = time.perf_counter() - began
    began = time.perf_counter()
    ceiling = _ceiling_document()
    ceiling.set_auto_page_break(True, margin=16)
    ceiling.add_page()
    documents.draw_table(ceiling, documents.pdf_columns(seminar, "attendance"), _rows(count, 1, seminar.starts_at),
                         line_height=4.5, family="helvetica")
    ceiling_pages = _pages(bytes(ceiling.output()))
    ceiling_seconds = time.perf_counter() - began
    return {"rows": count, "pages": _pages(listed), "seconds": round(seconds, 2),
            "pages_per_second": round(_pages(listed) / seconds, 1), "ceiling_pages": ceiling_pages,
            "ceiling_pages_per_second": round(ceiling_pages / ceiling_seconds, 1)}


def list_memory(count):
    """The Python heap's peak (kB) in a fresh process while it makes the attendance list of `count` rows."""
    child = subprocess.run([sys.executable, "-m", "bench.pdf", str(count)], cwd=ROOT, capture_output=True,
                           text=True, check=False)
    if child.returncode != 0:
        raise RuntimeError(f"the list of {count} rows failed: {child.stderr[-2000:]}")
    return json.loads(child.stdout)


def _child(count):
    """What list_memory runs: a first small list (fonts parsed, code loaded), then the measured one under
    tracemalloc. Not the RSS: the fonts' parsing leaves freed memory in the allocator that a list then reuses,
    so RSS growth showed nothing below ~5,000 rows."""
    with _app().test_request_context():
        seminar = _seminar()
        documents.list_pdf(seminar, "attendance", _rows(30, 0, seminar.starts_at), now=utcnow())
        tracemalloc.start()
        document = documents.list_pdf(seminar, "attendance", _rows(count, 0, seminar.starts_at), now=utcnow())
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({"peak_kb": peak // 1024, "pages": _pages(document)}))


def table(figures, sizes):
    t, lists = figures["ticket"], figures["list"]
    ceiling = t["ceiling_ms"]
    rows = [Row("pdf", "ticket ceiling ms (fpdf2, Helvetica, same ticket and QR)", ceiling, scales="time")]
    for person in PEOPLE:
        ratio = t[f"{person}_ms"] / ceiling
        rows.append(Row("pdf", f"ticket ms, {person} name", t[f"{person}_ms"], target="≤ 3 × ceiling",
                        ok=ratio <= 3, peer=f"{ratio:.1f} × ceiling", scales="time"))
    rows += [
        Row("pdf", "ticket ms, first in a worker / asked again", f"{t['first_in_process_ms']:,.0f} / {t['cached_ms']}",
            peer="fonts parsed once per process / the ticket cache"),
        Row("pdf", f"attendance list pages/s, {lists['rows']:,} rows", lists["pages_per_second"],
            target="≥ 1/3 × ceiling", ok=lists["pages_per_second"] * 3 >= lists["ceiling_pages_per_second"],
            peer=f"ceiling {lists['ceiling_pages_per_second']} pages/s; {lists['pages']} pages", scales="rate"),
    ]
    small, large = (figures["memory"][n] for n in sizes.pdf_list_rows)
    ratio = large["peak_kb"] / max(small["peak_kb"], 1)
    rows.append(Row("pdf", f"list memory peak MB, {sizes.pdf_list_rows[1]:,} vs {sizes.pdf_list_rows[0]:,} rows",
                    f"{large['peak_kb'] / 1024:.1f} vs {small['peak_kb'] / 1024:.1f}", target="≤ 2×",
                    ok=ratio <= 2, peer=f"ratio {ratio:.2f}; {large['pages']} vs {small['pages']} pages"))
    return rows


if __name__ == "__main__":
    _child(int(sys.argv[1]))
