"""`python -m eventreg.commands.english_catalogue`: English entries the msgid already says, filled in.

English is the language of the msgids, so its catalogue starts as a copy of them (a translator may still
improve an English wording there); run by `make messages` after each merge of the template.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parents[1] / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def fill(path=CATALOGUE):
    with open(path, "rb") as po:
        catalogue = read_po(po, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id or (message.string if isinstance(message.id, str) else all(message.string)):
            continue
        message.string = message.id if isinstance(message.id, str) else tuple(message.id)
        message.flags.discard("fuzzy")
        filled += 1
    with open(path, "wb") as po:
        write_po(po, catalogue, include_previous=False, width=120)  # the Makefile's PO_WIDTH
    return filled


if __name__ == "__main__":
    print(f"English catalogue: {fill()} entries filled from their msgid", file=sys.stderr)
