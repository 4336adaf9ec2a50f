"""The PDF base for every document eventreg prints (tickets, attendance lists, sign-in sheets, reports).

`new_document(title)` returns an A4 fpdf2 document with the shipped fonts (eventreg/fonts/) registered:

- family ``"DejaVu"`` (styles ``""`` and ``"B"``): Latin and Cyrillic, Kazakh letters included; the default;
- family ``"DroidSansFallback"`` (regular only): Chinese, Japanese and Korean, registered as the fallback,
  so a name mixing scripts ("Ли Вэй 李伟") renders in one `cell()`/`multi_cell()` call without switching fonts.

The fonts ship with the project because a fresh server may have none; fpdf2 embeds only the glyphs used.
Set `document.footer_text` to print it, with the page number, at the foot of every page.
"""

from pathlib import Path

from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
CJK_FAMILY = "DroidSansFallback"


class Document(FPDF):
    """fpdf2's FPDF with an optional footer line (fpdf2 draws footers by subclassing)."""

    footer_text = ""

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(91, 102, 117)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def new_document(title):
    """An A4 portrait document (millimetres) titled `title`, DejaVu 11 pt selected, CJK fallback on."""
    pdf = Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("eventreg")
    pdf.add_font(FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.add_font(CJK_FAMILY, "", FONT_DIR / "DroidSansFallbackFull.ttf")
    # Bold text falls back to the regular CJK face rather than failing: no bold CJK font is shipped.
    pdf.set_fallback_fonts([CJK_FAMILY], exact_match=False)
    pdf.set_font(FAMILY, size=11)
    return pdf
