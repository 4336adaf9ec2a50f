"""PDFs: the ticket, the certificate, the badge sheet and the attendance list against a ceiling made in the same run.

The ceiling is fpdf2 alone: a plain FPDF document with a built-in font (Helvetica, nothing to parse, subset or
embed) drawing the same one-page ticket (eventreg.registration.ticket_pdf.draw, the same QR image), the same
certificate (eventreg.certificates.document.draw) and badge sheet (eventreg.badges.document.draw_badges), and
the same attendance table (eventreg.reports.documents.draw_table) for the same rows, their texts written in
Latin letters. eventreg's documents carry the shipped fonts (eventreg.pdf). Both are made in this process, one
after the other for each document, so a busy machine slows both alike; a figure is the median.

- ticket ms: a different person's ticket each time (so never from the ticket cache), for a Kazakh/Russian
  name, a Chinese one and a Korean one (those two also embed their fallback font); target ≤ 3 × the ceiling.
  Also the first ticket of a fresh worker (the fonts parsed) and a ticket asked for again (the cache).
- certificate ms: one A4 landscape page (the standard wording, two signatories, a small logo, the QR code) for
  a different person each time, a Kazakh/Russian name and a Chinese one; target ≤ 3 × the ceiling.
- badge sheet ms: one A4 page of 8 badges (names in mixed scripts, with their Latin line, each its own QR code),
  different people each time; target ≤ 3 × the ceiling page. As many certificates and sheets as tickets.
- attendance list pages/s, with a Chinese name in every 20 rows; target ≥ 1/3 of the ceiling's pages/s.
- the list's memory: in a child process, the Python heap's peak (tracemalloc) while the list for the large
  number of rows is made, against that for the small one; target ≤ 2 ×.
"""

import functools
import io
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
from PIL import Image

from bench.results import Row
from bench.server import ROOT, SECRET_KEY
from eventreg import create_app, names, pdf
from eventreg.badges import document as badge_document
from eventreg.certificates import document as certificate_document
from eventreg.models import Seminar, new_ticket_token, utcnow
from eventreg.models.certificate import new_verification_code
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
SIGNATORIES = ((("Ерлан Сыдыков", "Ректор"), ("Айгүл Жұмабаева", "Директор центра китаеведения")),
               (("Yerlan Sydykov", "Rector"), ("Aigul Zhumabayeva", "Director, China Studies Centre")))
# The people of one badge sheet, and their categories (label, key).
SHEET = ("cyrillic", "chinese", "cyrillic", "korean", "cyrillic", "chinese", "cyrillic", "cyrillic")
CATEGORIES = (("Expert", "expert"), ("Student", "student"), ("Media", "media"), ("Government", "government"))


@functools.cache
def _app():
    return create_app({"SECRET_KEY": SECRET_KEY, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})


def run(ctx):
    sizes = ctx.sizes
    with _app().test_request_context():
        figures = {"ticket": tickets(sizes.pdf_tickets)}
        ctx.log(f"pdf: ticket {figures['ticket']['cyrillic_ms']} ms, ceiling {figures['ticket']['ceiling_ms']} ms")
        figures["certificate"] = certificates(sizes.pdf_tickets)
        ctx.log(f"pdf: certificate {figures['certificate']['cyrillic_ms']} ms, ceiling "
                f"{figures['certificate']['ceiling_ms']} ms")
        figures["badge_sheet"] = badge_sheets(sizes.pdf_tickets)
        ctx.log(f"pdf: badge sheet {figures['badge_sheet']['badges_ms']} ms, ceiling "
                f"{figures['badge_sheet']['ceiling_ms']} ms")
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


def _ceiling_document(orientation="portrait"):
    document = FPDF(orientation=orientation, unit="mm", format="A4")
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


def _medians(count, makers):
    """For n = 1…count, each of `makers` ({name: (content for n, PDF of a content)}) in turn, the content made
    outside the clock: each one's median ms, and the pages and images of its last PDF (what the tests check)."""
    times, made = {name: [] for name in makers}, {}
    for n in range(1, count + 1):
        for name, (content, render) in makers.items():
            argument = content(n)
            began = time.perf_counter()
            document = render(argument)
            times[name].append((time.perf_counter() - began) * 1000)
            made[name] = {"pages": _pages(document), "images": len(re.findall(rb"/Subtype /Image\b", document))}
    return {**{f"{name}_ms": round(statistics.median(values), 1) for name, values in times.items()}, "made": made}


def tickets(count):
    pdf._parse.cache_clear()
    pdf._face_for.cache_clear()
    pdf._small_font.cache_clear()
    ticket_pdf.ticket_document.cache_clear()
    first = _content("cyrillic", 0, 0)
    figures = {"first_in_process_ms": round(_ms(ticket_pdf.ticket_document, first), 1),
               "cached_ms": round(_ms(ticket_pdf.ticket_document, first), 3)}
    makers = {"ceiling": (functools.partial(_content, "cyrillic", 1), _ceiling_ticket),
              **{person: (functools.partial(_content, person, 0), ticket_pdf.ticket_document) for person in PEOPLE}}
    figures.update(_medians(count, makers))
    ticket_pdf.ticket_document.cache_clear()
    figures["tickets"] = count
    return figures


@functools.cache
def _logo():
    """A small logo (300 × 120 pixels), the same PNG on both sides."""
    picture = Image.new("RGB", (300, 120), "white")
    picture.paste((11, 92, 171), (20, 20, 280, 100))
    data = io.BytesIO()
    picture.save(data, "PNG")
    return data.getvalue()


def _certificate(person, which, n):
    """A certificate's content with the standard wording; `which` 0 for eventreg's text, 1 for the ceiling's."""
    url = f"https://events.example.kz/verify/{new_verification_code()}"
    body = certificate_document.default_body().format(seminar=TITLE[which], date="14\u00a0December\u00a02026",
                                                      hours="3")
    if which:
        # Measured lines go through a core font's encoding twice (fpdf2 returns them encoded, then draws them):
        # the ceiling's text keeps to characters that encode to themselves.
        body = body.translate({ord("“"): '"', ord("”"): '"'})
    title = certificate_document.default_title()
    return certificate_document.CertificateContent(
        document_title=f"{title}: {TITLE[which]}", columns=(certificate_document.Column(title, body),),
        holder_name=f"{PEOPLE[person][which]} {n}", logo=_logo(), qr_payload=url,
        signatories=tuple((name, position, None) for name, position in SIGNATORIES[which]),
        footer=f"Certificate No. 0001-{n:06d}-1 · Verify: {url}")


def _ceiling_certificate(content):
    document = _ceiling_document("landscape")
    certificate_document.draw(document, content, "helvetica")
    return bytes(document.output())


def certificates(count):
    makers = {"ceiling": (functools.partial(_certificate, "cyrillic", 1), _ceiling_certificate),
              **{person: (functools.partial(_certificate, person, 0), certificate_document.render)
                 for person in ("cyrillic", "chinese")}}
    return {**_medians(count, makers), "certificates": count}


def _sheet(which, n):
    """The badges of one sheet, different people for each n; `which` 0 for eventreg's text, 1 for the ceiling's,
    whose Latin line repeats its name (eventreg's is the name in Latin letters, as badges print by default)."""
    badges = []
    for index, person in enumerate(SHEET):
        name = f"{PEOPLE[person][which]} {n * len(SHEET) + index}"
        category, key = CATEGORIES[index % len(CATEGORIES)]
        badges.append(badge_document.BadgeContent(
            full_name=name, latin_name=names.latin(name) if which == 0 else name, organization=ORGANIZATION[which],
            category=category, category_key=key, qr_payload=qr_payload(new_ticket_token())))
    return badges


def _badges(badges):
    return badge_document.badges_pdf(f"Badges · {TITLE[0]}", badges, "a4")


def _ceiling_badges(badges):
    document = _ceiling_document()
    badge_document.draw_badges(document, badges, "a4", "helvetica")
    return bytes(document.output())


def badge_sheets(count):
    makers = {"ceiling": (functools.partial(_sheet, 1), _ceiling_badges),
              "badges": (functools.partial(_sheet, 0), _badges)}
    return {**_medians(count, makers), "sheets": count, "badges_a_sheet": len(SHEET)}


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
    rows += [_against(f"ticket ms, {person} name", t[f"{person}_ms"], ceiling) for person in PEOPLE]
    rows += [
        Row("pdf", "ticket ms, first in a worker / asked again", f"{t['first_in_process_ms']:,.0f} / {t['cached_ms']}",
            peer="fonts parsed once per process / the ticket cache"),
        Row("pdf", f"attendance list pages/s, {lists['rows']:,} rows", lists["pages_per_second"],
            target="≥ 1/3 × ceiling", ok=lists["pages_per_second"] * 3 >= lists["ceiling_pages_per_second"],
            peer=f"ceiling {lists['ceiling_pages_per_second']} pages/s; {lists['pages']} pages", scales="rate"),
    ]
    rows += _page_rows(figures)
    small, large = (figures["memory"][n] for n in sizes.pdf_list_rows)
    ratio = large["peak_kb"] / max(small["peak_kb"], 1)
    rows.append(Row("pdf", f"list memory peak MB, {sizes.pdf_list_rows[1]:,} vs {sizes.pdf_list_rows[0]:,} rows",
                    f"{large['peak_kb'] / 1024:.1f} vs {small['peak_kb'] / 1024:.1f}", target="≤ 2×",
                    ok=ratio <= 2, peer=f"ratio {ratio:.2f}; {large['pages']} vs {small['pages']} pages"))
    return rows



def _page_rows(figures):
    """The certificate and the badge sheet, each against its ceiling."""
    c, b = figures["certificate"], figures["badge_sheet"]
    rows = [Row("pdf", "certificate ceiling ms (fpdf2, Helvetica, same layout, logo and QR)", c["ceiling_ms"],
                scales="time")]
    for person in ("cyrillic", "chinese"):
        rows.append(_against(f"certificate ms, {person} name", c[f"{person}_ms"], c["ceiling_ms"]))
    rows += [Row("pdf", f"badge sheet ceiling ms a page ({b['badges_a_sheet']} badges, fpdf2, Helvetica)",
                 b["ceiling_ms"], scales="time"),
             _against(f"badge sheet ms a page, {b['badges_a_sheet']} badges, mixed scripts", b["badges_ms"],
                      b["ceiling_ms"])]
    return rows


def _against(measure, figure, ceiling):
    ratio = figure / ceiling
    return Row("pdf", measure, figure, target="≤ 3 × ceiling", ok=ratio <= 3, peer=f"{ratio:.1f} × ceiling",
               scales="time")


if __name__ == "__main__":
    _child(int(sys.argv[1]))
