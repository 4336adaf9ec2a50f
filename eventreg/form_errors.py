"""How a form shows a service's refusal: each field's messages next to the field (one rule for every form that
sends its data through a service's field rules: signup, the organizer's form, the walk-in)."""


class ServiceErrors:
    """Mixed into a Flask-WTF form."""

    def add_errors(self, fields):
        """The service's field errors, shown next to their fields; returns the messages no field of this form
        can show (the caller flashes them)."""
        unshown = []
        for name, messages in (fields or {}).items():
            if name in self:
                self[name].errors = [*self[name].errors, *messages]
            else:
                unshown.extend(str(message) for message in messages)
        return unshown
