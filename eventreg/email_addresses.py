"""One form of an e-mail address, for the one-registration-per-address rule and for finding an account."""

import unicodedata


def normalise_email(value):
    """The address as stored and compared: trimmed, Unicode NFC, the domain IDNA-encoded (`пример.kz` and
    `xn--e1afmkfd.kz` are one domain), all in lower case.

    Lower case, not `str.casefold`: casefold turns `ß` into `ss`, which may be another person's mailbox. A domain
    IDNA cannot encode is kept as typed; the address's own validation refuses it.
    """
    text = unicodedata.normalize("NFC", (value or "").strip())
    local, at, domain = text.rpartition("@")
    if not at:
        return text.lower()
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        pass
    return f"{local.lower()}@{domain.lower()}"
