"""The shared PDF base renders Kazakh Cyrillic, Chinese and Korean with the fonts shipped in the project."""

import io
import logging
import threading

from pypdf import PdfReader

from eventreg import pdf as pdf_base
from eventreg.pdf import CJK_FAMILY, FAMILY, FONT_DIR, HANGUL_FAMILY, PLACEHOLDER, new_document

KAZAKH = "Әлия Нұрғалиқызы Өмірбекова (ғ қ ң ү һ і)"
CHINESE = "王小明"


def _text(pdf):
    reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_kazakh_and_chinese_names_can_be_read_back():
    pdf = new_document("Attendance")
    pdf.add_page()
    pdf.cell(text=KAZAKH, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(text=f"{CHINESE} Wang Xiaoming, Ли Вэй", new_x="LMARGIN", new_y="NEXT")

    reader, text = _text(pdf)

    assert KAZAKH in text
    assert f"{CHINESE} Wang Xiaoming, Ли Вэй" in text
    assert reader.metadata.title == "Attendance"


def test_a_text_after_one_that_begins_and_ends_in_chinese_still_prints():
    # The two titles of a certificate in Chinese and English, side by side: same font, same size.
    pdf = new_document("Certificate")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 18)
    for x, title in ((20, "参会证书"), (120, "Certificate of attendance")):
        pdf.set_xy(x, 20)
        pdf.cell(80, 10, title)
    pdf.set_xy(20, 40)
    pdf.cell(80, 10, "王小明")
    pdf.set_xy(20, 50)
    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(170, 10, "研讨会\nThe Second «Golden» Decade")

    _, text = _text(pdf)

    for printed in ("参会证书", "Certificate of attendance", "王小明", "研讨会", "The Second «Golden» Decade"):
        assert printed in text


def test_document_is_a4_and_embeds_only_the_shipped_fonts():
    pdf = new_document("Sheet")
    pdf.add_page()
    pdf.cell(text=f"Қазақстан {CHINESE}")

    reader, _ = _text(pdf)

    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any(FAMILY.lower() in name.lower() for name in fonts)
    assert any(CJK_FAMILY.lower() in name.lower() for name in fonts)


def _font_names(reader):
    return {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}


def test_a_korean_diplomats_name_prints_in_hangul():
    name = "김민준 (Kim Min-jun), 대한민국 대사관"
    pdf = new_document("Attendance")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.cell(text=name)

    reader, text = _text(pdf)

    assert name in text
    assert any(HANGUL_FAMILY.lower() in font.lower() for font in _font_names(reader))


def test_a_character_no_font_has_prints_a_visible_placeholder_and_the_document_is_made(caplog):
    """An Egyptian hieroglyph and a Linear B sign are in no shipped font: each becomes PLACEHOLDER, the rest of
    the name prints, and fpdf2 has no glyph to report missing. An invisible direction mark (U+2066, pasted with a
    name from a right-to-left page) is dropped, not shown."""
    pdf = new_document("Badge")
    pdf.add_page()
    with caplog.at_level(logging.WARNING):
        pdf.multi_cell(0, 6, text="Ана \U00013000 Lee\U00010000 a\u2066b")
        _, text = _text(pdf)

    assert f"Ана {PLACEHOLDER} Lee{PLACEHOLDER} ab" in text
    assert "missing" not in caplog.text


def test_a_document_in_latin_and_cyrillic_embeds_no_cjk_or_hangul_font():
    pdf = new_document("Sheet")
    pdf.add_page()
    pdf.cell(text="Әлия Smith")

    reader, _ = _text(pdf)

    assert not any(family.lower() in font.lower() for font in _font_names(reader)
                   for family in (CJK_FAMILY, HANGUL_FAMILY))


def test_font_files_are_read_once_per_process_and_documents_made_at_once_all_print(monkeypatch):
    """Parsing a font file was most of a ticket's time: it happens once per process, however many documents,
    even when several threads make documents with new characters at the same time."""
    pdf_base._parse.cache_clear()
    pdf_base._small_font.cache_clear()
    pdf_base._face_for.cache_clear()
    parsed = []
    real_add_font = pdf_base.FPDF.add_font

    def counting(self, family, style, *args, **kwargs):
        parsed.append((family, style))
        return real_add_font(self, family, style, *args, **kwargs)

    monkeypatch.setattr(pdf_base.FPDF, "add_font", counting)
    # Georgian and Armenian (DejaVu beyond the common glyphs), a Chinese and a Hangul character, new in each.
    names = [f"Ω{chr(0x10D0 + n)} {chr(0x0531 + n)} {chr(0x4E00 + n * 7)} {chr(0xAC00 + n * 31)} № {n}"
             for n in range(3)]
    texts = {}

    def make(name):
        document = new_document("Ticket")
        document.add_page()
        document.cell(text=name)
        texts[name] = _text(document)[1]

    threads = [threading.Thread(target=make, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(name in texts[name] for name in names)
    assert sorted(parsed) == sorted({(FAMILY, ""), (FAMILY, "B"), (HANGUL_FAMILY, ""), (CJK_FAMILY, "")})


def test_fonts_ship_with_their_licences():
    names = {p.name for p in FONT_DIR.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf", "NanumSquareR.ttf"} <= names
    assert {"LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback-Apache-2.0.txt", "LICENSE-Nanum-OFL-1.1.txt"} <= names
