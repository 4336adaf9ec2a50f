"""The PDF base for every document eventreg prints (tickets, attendance lists, sign-in sheets, reports).

`new_document(title)` returns an A4 fpdf2 document with the shipped fonts (eventreg/fonts/):

- family ``"DejaVu"`` (styles ``""`` and ``"B"``): Latin and Cyrillic, Kazakh letters included; the default;
- fallbacks, added to a document only when its text needs them: ``"NanumSquare"`` for Hangul (Korean) and
  ``"DroidSansFallback"`` for Chinese and Japanese, so a name mixing scripts ("Ли Вэй 李伟", "김민준") renders in
  one `cell()`/`multi_cell()` call without switching fonts;
- a character no shipped font has prints as PLACEHOLDER (an invisible formatting character is dropped):
  the document is still made, and the reader sees that something was there.

Where a ticket's time went (cProfile, issue #26): parsing the three font files (four fifths), then subsetting
every registered font, used or not, from the whole file. So each file is parsed once per process (`_parsed`),
a fallback is added only when the text needs it, and fpdf2 subsets each document's font from a small font of
the glyphs this process has printed so far (`_Glyphs`) instead of the whole file. Set `document.footer_text`
to print it, with the page number, at the foot of every page.

Documents whose texts have boxes of their own (badges, certificates) shrink a text until it fits (`fitted`) and
draw the measured lines (`draw_lines`).
"""

import copy
import functools
import io
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap

FONT_DIR = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
CJK_FAMILY = "DroidSansFallback"
HANGUL_FAMILY = "NanumSquare"
PLACEHOLDER = "\ufffd"
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))
# What nearly every document prints (Latin-1, Russian and Kazakh letters, dashes and quotes): a process starts
# with these glyphs in its small fonts, so most documents never have to grow them.
KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
COMMON = [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x400, 0x460), *map(ord, KAZAKH), *range(0x2010, 0x2027),
          0x20AC, 0x2116, 0xFFFD]


@dataclass(frozen=True)
class Face:
    family: str
    style: str
    filename: str
    unicode_range: tuple | None = None  # ((first, last), ...): the face draws only these characters
    common: tuple = ()

    def may_draw(self, char):
        """False when `char` is outside the face's range: known without parsing the font."""
        return self.unicode_range is None or any(first <= ord(char) <= last for first, last in self.unicode_range)


MAIN = (Face(FAMILY, "", "DejaVuSans.ttf", common=tuple(COMMON)),
        Face(FAMILY, "B", "DejaVuSans-Bold.ttf", common=tuple(COMMON)))
# In order of preference. Hangul comes from Nanum only (Droid has 3 of its 11,172 syllables), so a Korean name
# is drawn in one face; Chinese and Japanese from Droid (Nanum's hanja would mix in Korean shapes).
FALLBACKS = (Face(HANGUL_FAMILY, "", "NanumSquareR.ttf", HANGUL), Face(CJK_FAMILY, "", "DroidSansFallbackFull.ttf"))


# Two threads asking at once for a face nobody has asked for would each parse it: one at a time.
_loading = threading.RLock()


def _parsed(face):
    """fpdf2's reading of a font file (metrics, character map), made once per process."""
    with _loading:
        return _parse(face)


@functools.cache
def _parse(face):
    scratch = FPDF()
    scratch.add_font(face.family, face.style, FONT_DIR / face.filename, unicode_range=face.unicode_range and [
        (first, last) for first, last in face.unicode_range])
    (font,) = scratch.fonts.values()
    font.ttfont.close()
    font.ttfont = None  # a document's own copy is opened when it is written (Document.output)
    return font


class _Glyphs:
    """A small font of the glyphs this process has printed from one face, grown when a document needs more.

    fpdf2 subsets a document's fonts in place when it writes it; from the whole file that cost ~0.1 s of CPU a
    font (every glyph's outline, metric and name read). From this font it costs a tenth. Glyphs are kept by
    name, which the subsetter keeps, so fpdf2's reading of the whole file still names them."""

    def __init__(self, face):
        self.face = face
        self.names = frozenset()
        self.data = b""
        self.lock = threading.Lock()
        cmap = _parsed(face).cmap
        self.grow({cmap[code] for code in face.common if code in cmap})

    def covering(self, names):
        """A fresh TTFont holding at least `names`, for one document's fpdf2 to subset."""
        if not self.names >= set(names):
            self.grow(names)
        return TTFont(io.BytesIO(self.data), lazy=True, recalcTimestamp=False, recalcBBoxes=False)

    def grow(self, names):
        with self.lock:
            wanted = self.names | set(names)
            if wanted == self.names and self.data:
                return
            options = subset.Options(notdef_outline=True, recommended_glyphs=True, glyph_names=True,
                                     name_IDs=["*"], name_languages=["*"])
            options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx"]
            subsetter = subset.Subsetter(options)
            subsetter.populate(glyphs=sorted(wanted))
            data = io.BytesIO()
            # Lazy: the subsetter reads only the tables and glyphs it needs (a fifth of the time for the CJK font);
            # the glyphs are copied as they are, so their bounding boxes need no recomputing.
            with TTFont(FONT_DIR / self.face.filename, lazy=True, recalcTimestamp=False, recalcBBoxes=False) as font:
                subsetter.subset(font)
                font.save(data)
                # What the font holds: the glyphs asked for and those the subsetter adds (.notdef, composites' parts).
                self.data, self.names = data.getvalue(), frozenset(font.getGlyphOrder())


def _glyphs(face):
    with _loading:
        return _small_font(face)


@functools.cache
def _small_font(face):
    return _Glyphs(face)


@functools.lru_cache(maxsize=8192)
def _face_for(char):
    """The face that draws `char`: None for the main font, a fallback Face, or False when none can."""
    if ord(char) in _parsed(MAIN[0]).cmap:
        return None
    return next((face for face in FALLBACKS if face.may_draw(char) and ord(char) in _parsed(face).cmap), False)


def _placeholder(char):
    return "" if unicodedata.category(char) == "Cf" else PLACEHOLDER


class Document(FPDF):
    """fpdf2's FPDF with an optional footer line (fpdf2 draws footers by subclassing), fallback fonts added as
    the text needs them (every text fpdf2 draws or measures passes through `normalize_text`), and fonts
    subset from the process's small fonts (`output`)."""

    footer_text = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.faces = {}  # fontkey: Face
        self.fallbacks = []

    def add_face(self, face):
        """Register `face` from the process's parsed copy; only what fpdf2 changes per document is new."""
        font = copy.copy(_parsed(face))
        font.i = len(self.fonts) + 1
        font.desc = copy.copy(font.desc)  # fpdf2 numbers it as an object of the document it writes
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
        self.fonts[font.fontkey] = font
        self.faces[font.fontkey] = face

    def normalize_text(self, text):
        text = super().normalize_text(text)
        if text.isascii():
            return text
        faces = {char: _face_for(char) for char in set(text)}
        needed = [face for face in FALLBACKS if face in faces.values() and face not in self.fallbacks]
        if needed:
            for face in needed:
                self.add_face(face)
            self.fallbacks = [face for face in FALLBACKS if face in self.fallbacks or face in needed]
            # Bold text falls back to the regular face rather than failing: no bold CJK or Hangul font ships.
            self.set_fallback_fonts([face.family for face in self.fallbacks], exact_match=False)
        if False in faces.values():
            text = "".join(_placeholder(char) if faces[char] is False else char for char in text)
        return text

    def _render_styled_text_line(self, *args, **kwargs):
        """Every line drawn: the page's font is set before it, as fpdf2's `text()` does.

        fpdf2 2.8.9 sets it inside a line that begins with a fallback glyph ("参会证书") and wraps that line in
        q…Q when it ends in another font than the page's: the font is undone at Q while fpdf2 believes it set, and
        the next text in the same font (the English beside a Chinese title) prints nothing. fpdf2 issue #1772.
        """
        if self.page > 0 and not self.current_font_is_set_on_page and self.current_font is not None:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(*args, **kwargs)

    def output(self, *args, **kwargs):
        for fontkey, face in self.faces.items():
            font = self.fonts[fontkey]
            font.ttfont = _glyphs(face).covering(font.subset.get_all_glyph_names())
        return super().output(*args, **kwargs)

    def footer(self):
        if not self.footer_text:
            return
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(91, 102, 117)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def new_document(title, *, orientation="portrait"):
    """An A4 document (millimetres; "portrait" or "landscape") titled `title`, DejaVu 11 pt selected."""
    pdf = Document(orientation=orientation, unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("eventreg")
    for face in MAIN:
        pdf.add_face(face)
    pdf.set_font(FAMILY, size=11)
    return pdf


# --- texts in boxes --------------------------------------------------------------------------------------------

POINT = 25.4 / 72  # mm
LINE_SPACING = 1.15
SMALLEST_PT = 3  # a 200-character name still fits a sheet badge's name box at 5 pt: this floor is never the limit
# Measuring only: a break is allowed after the hyphen of a double-barrelled name ("Серікбаева-|Ахметова"). fpdf2
# breaks at a zero-width space; the drawn lines never hold one.
_BREAK_HINT = "\u200b"
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# A word: a run between spaces or break hints, or one CJK character (those lines may break between any two).
_WORD = re.compile(f"[{_CJK}]|[^ \t\n{_BREAK_HINT}{_CJK}]+")


def fitted(pdf, texts, width, height, *, largest, style="", spacing=LINE_SPACING * POINT, family=FAMILY):
    """(size in points, the lines of each of `texts`): the largest size, at most `largest`, at which every text,
    wrapped to `width` mm with lines `size × spacing` mm apart, is no taller than `height` mm. Leaves the font at
    that size.

    A size that breaks no word is preferred: a long name gets a smaller size and more lines before it is ever cut
    inside a word (a single word wider than the box still is, at the size that fits). Lines break at spaces; a
    double-barrelled name breaks after its hyphen only when that keeps a larger size ("Серікбаева-|Ахметова").
    `family` is the font measured in (another than eventreg's only for the benchmark's ceiling)."""
    plain = _Measure(pdf, list(texts), width, height, style, spacing, family)
    best = _largest(plain, largest, plain.whole_words)
    hinted = _Measure(pdf, [_HYPHEN.sub("-" + _BREAK_HINT, text) for text in texts], width, height, style, spacing,
                      family)
    if hinted.sources != plain.sources and (best is None or best[0] < largest):
        after_hyphens = _largest(hinted, largest, hinted.whole_words)
        best = after_hyphens if after_hyphens and (best is None or after_hyphens[0] > best[0]) else best
    size, lines = best or _largest(plain, largest, plain.low_enough) or (SMALLEST_PT, plain(SMALLEST_PT))
    pdf.set_font(family, style, size)
    return size, [[line.replace(_BREAK_HINT, "") for line in text_lines] for text_lines in lines]


@dataclass(frozen=True)
class _Measure:
    """`measure(size)`: the lines of each source text at that size; and what makes a size good."""

    pdf: object
    sources: list
    width: float
    height: float
    style: str
    spacing: float
    family: str

    def __call__(self, size):
        self.pdf.set_font(self.family, self.style, size)
        return [self.pdf.multi_cell(self.width, size * self.spacing, text, dry_run=True, output="LINES")
                for text in self.sources]

    def low_enough(self, size, lines):
        return max(len(text_lines) for text_lines in lines) * size * self.spacing <= self.height

    def whole_words(self, size, lines):
        """Low enough, and no more words on the lines than in the text: none was cut in two."""
        return self.low_enough(size, lines) and all(
            len(_WORD.findall(" ".join(text_lines))) <= len(_WORD.findall(text))
            for text_lines, text in zip(lines, self.sources, strict=True))


def _largest(measure, largest, good):
    """(size, lines) at the largest good size: `largest` (most texts fit at once: one measurement), else the
    largest good half point above SMALLEST_PT, found by halving the range; None when no size is good."""
    lines = measure(largest)
    if good(largest, lines):
        return largest, lines
    best, low, high = None, SMALLEST_PT * 2, int(largest * 2) - 1  # half points
    while low <= high:
        middle = (low + high) // 2
        lines = measure(middle / 2)
        if good(middle / 2, lines):
            best, low = (middle / 2, lines), middle + 1
        else:
            high = middle - 1
    return best


def draw_lines(pdf, lines, x, y, width, line_height, align="L"):
    """Measured lines as they are, one cell each (nothing wrapped again), in the current font; returns the y
    below them."""
    for text in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, line_height, text, align=align)
        y += line_height
    return y
