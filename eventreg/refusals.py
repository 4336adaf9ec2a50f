"""The one shape of a refusal: each feature's `…Refused` names its own codes and adds what only it carries."""


class Refused(Exception):
    """A business rule said no, and nothing was written: a stable `code` (what the API answers, what a page looks
    its message up by) and, for field problems, `fields`: field name -> its messages."""

    def __init__(self, code, fields=None):
        super().__init__(code)
        self.code = code
        self.fields = fields or {}
