"""People's names across scripts: the search key every search matches on, and the alphabetical sort key.

Our attendees write their names in Kazakh or Russian Cyrillic, in one of many Latin romanisations, or in
Chinese characters, and the person at the door types whatever comes to mind. So a registration stores one
search key holding every common spelling of its words, and a query is folded the same way: "Aliia" finds
"Әлия", "Серикбаева" finds "Серікбаева", "wang fang" and "王" find "王芳".

Libraries, each for what no table of ours should do: iuliia (maintained Russian romanisation schemas:
passports, Wikipedia, the Russian passport office, informal chat spelling), pypinyin (pinyin of Chinese
characters) and pyuca (the Unicode Collation Algorithm: pure Python, so nothing to compile or install on a
server, unlike PyICU, which needs libicu-dev and a C++ build). None covers Kazakh, so its nine letters are
folded to their Russian look-alikes first (the issue's table), which is also what people type on a Russian
keyboard.
"""

import os
import unicodedata
from functools import cache, lru_cache

import iuliia
import pyuca
from sqlalchemy import case, func

# Kazakh letters that Russian keyboards and Russian romanisations lack, folded to the letter they look like (capitals
# too, for the Latin line of a badge; a search key is case-folded first).
KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
# The romanisations people use for Cyrillic names: the passport (ICAO: Aliia, Iuliia), Wikipedia and
# the press (Aliya, Yerlan, Serikbayeva), the older passport office (Serikbaeva, Shaymerdenova), and
# the informal one of chats and Kazakh Latin habits (Janna, Hasen).
ROMANISATIONS = (iuliia.ICAO_DOC_9303, iuliia.WIKIPEDIA, iuliia.MVD_310, iuliia.TELEGRAM)
# The one Latin spelling printed for a reader (a badge's second line): the press's, which foreign guests read most
# easily (Aliya, Yerlan, Zhanna).
LATIN_SCHEMA = iuliia.WIKIPEDIA
# The stored column's length: a name's spellings come first, so a cut loses only the end of an organization.
MAX_SEARCH_KEY = 800
_NO_DIGITS = str.maketrans("", "", "0123456789")
# Sort groups: the first letter's script decides where a name goes for each language (see group_ranks).
LATIN, CYRILLIC, CHINESE, OTHER = "1", "2", "3", "4"


def _strip_marks(text):
    """Accents off, so 'Nūrsūltan' is 'nursultan', 'й' is 'и' and 'ё' is 'е' (people type them so)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _casefolded(text):
    return unicodedata.normalize("NFKC", text).casefold().translate(KAZAKH_TO_RUSSIAN)


def is_chinese(char):
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"


def _is_cyrillic(char):
    return "\u0400" <= char <= "\u052f"


@cache
def _pinyin():
    """pypinyin, loaded at first use without its phrase dictionary: a name needs each character's readings, and
    the phrases cost 45 MB and two seconds in every process (measured), Chinese names or not."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    import pypinyin

    return pypinyin


@lru_cache(maxsize=4096)  # first names and surnames repeat: half a millisecond of romanising saved each
def spellings(word):
    """Every spelling of one already case-folded word that a search should find it by, the folded word first."""
    found = [_strip_marks(word)]
    if any(_is_cyrillic(c) for c in word):
        found += [_strip_marks(schema.translate(word)) for schema in ROMANISATIONS]
    if any(is_chinese(c) for c in word):
        pypinyin = _pinyin()
        syllables = pypinyin.lazy_pinyin(word, errors="default")
        found += [" ".join(syllables), "".join(syllables),
                  "".join(pypinyin.lazy_pinyin(word, style=pypinyin.Style.TONE3, errors="default"))]
        # Every reading of the first character, the surname: surnames often take a rarer one (单 Shan, 曾 Zeng).
        found += [reading for readings in pypinyin.pinyin(word[0], style=pypinyin.Style.NORMAL, heteronym=True)
                  for reading in readings if reading.isascii()]
        # Chinese names as Russian and Kazakh texts write them (Palladius): 王芳 is Ван Фан.
        palladius = "".join(pypinyin.lazy_pinyin(word, style=pypinyin.Style.CYRILLIC, errors="default"))
        found.append(palladius.translate(_NO_DIGITS))
    return tuple(dict.fromkeys(found))


def _latin_word(word):
    if any(is_chinese(c) for c in word):
        # Surname first, then the given name in one word, as passports and the press write them: 王小明 Wang Xiaoming.
        syllables = _pinyin().lazy_pinyin(word, errors="default")
        return " ".join(part.capitalize() for part in (syllables[0], "".join(syllables[1:])) if part)
    if not any(_is_cyrillic(c) for c in word):
        return word
    spelled = LATIN_SCHEMA.translate(word.translate(KAZAKH_TO_RUSSIAN))
    return spelled.upper() if word.isupper() and len(word) > 1 else spelled


def latin(text):
    """`text` in Latin letters, for readers who do not read its script: one of the search key's spellings of each
    word (Cyrillic by LATIN_SCHEMA after the Kazakh folding, Chinese by pinyin), capitals kept. Latin text is
    returned as it is."""
    return " ".join(_latin_word(word) for word in unicodedata.normalize("NFKC", text or "").split())


def search_key(*parts):
    """The one key a registration is searched by: its texts folded, plus every other spelling of each word.

    Stored on the row, so a LIKE on it behaves the same on SQLite (ASCII-only lower()) and PostgreSQL.
    """
    words = " ".join(p for p in parts if p)
    key = []
    for word in _casefolded(words).split():
        key.extend(spellings(word))
    return " ".join(dict.fromkeys(key))[:MAX_SEARCH_KEY]


def query_words(query):
    """A query as its words, each as the spellings any of which may match: word order does not matter."""
    return [spellings(word) for word in _casefolded(query or "").split()]


def query_is_specific(query, *, min_letters):
    """At least `min_letters` letters or digits, or any Chinese character (one is a surname)."""
    letters = [c for c in _casefolded(query or "") if c.isalnum()]
    return len(letters) >= min_letters or any(is_chinese(c) for c in letters)


@cache
def _collator():
    return pyuca.Collator()


def _group(name):
    for char in name:
        if is_chinese(char):
            return CHINESE
        if _is_cyrillic(char):
            return CYRILLIC
        if char.isalpha():
            return LATIN if "LATIN" in unicodedata.name(char, "") else OTHER
    return OTHER


def sort_key(name):
    """A text whose plain (binary) order is the name's alphabetical order: stored on the row, so lists and
    exports sort in SQL and still stream.

    The Unicode Collation Algorithm gives Kazakh Ә after А and Ө after О, Russian Ё with Е; Chinese
    characters are collated as their pinyin. The first digit is the script of the name's first letter, so
    each language can put its own script first (sort_groups). Weights are written as 5-digit decimals: a
    string of digits orders the same under every database collation.
    """
    name = unicodedata.normalize("NFKC", name or "").strip()
    if any(map(is_chinese, name)):
        pypinyin = _pinyin()
        spelled = " ".join(pypinyin.lazy_pinyin(name, style=pypinyin.Style.TONE3, errors="default"))
    else:
        spelled = name
    return _group(name) + "".join(f"{weight:05d}" for weight in _collator().sort_key(spelled))


# Which scripts come first, per language: a Russian or Kazakh list starts with А, an English one with A, a
# Chinese one files Chinese and Latin names together by pinyin, as phone contact lists there do.
_GROUP_RANKS = {
    "kk": {CYRILLIC: 0, LATIN: 1, CHINESE: 2},
    "ru": {CYRILLIC: 0, LATIN: 1, CHINESE: 2},
    "zh": {CHINESE: 0, LATIN: 0, CYRILLIC: 1},
    "en": {LATIN: 0, CYRILLIC: 1, CHINESE: 2},
}


def group_ranks(locale):
    """{group: rank} for a language code ('ru', 'zh_Hans_CN' or a Babel Locale); unknown ones sort as English."""
    language = str(locale or "en").replace("-", "_").split("_")[0].lower()
    return _GROUP_RANKS.get(language, _GROUP_RANKS["en"])


def alphabetical_key(text, locale):
    """The same order as `alphabetical`, in Python: for the few texts a page sorts itself (a report's universities)."""
    key = sort_key(text)
    return group_ranks(locale).get(key[:1], 3), key[1:]


def alphabetical(column, locale):
    """ORDER BY terms for a stored sort_key column in the language's alphabetical order (both databases)."""
    ranks = group_ranks(locale)
    return [case(ranks, value=func.substr(column, 1, 1), else_=3), func.substr(column, 2)]
