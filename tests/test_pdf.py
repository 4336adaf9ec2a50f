"""The shared PDF base renders Kazakh Cyrillic and Chinese with the fonts shipped in the project."""

import io

from pypdf import PdfReader

from eventreg.pdf import CJK_FAMILY, FAMILY, FONT_DIR, new_document

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


def test_fonts_ship_with_their_licences():
    names = {p.name for p in FONT_DIR.iterdir()}
    assert {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"} <= names
    assert {"LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback-Apache-2.0.txt"} <= names
