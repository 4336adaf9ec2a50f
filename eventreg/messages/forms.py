"""The message form: who it is for (a segment's criteria, or the people ticked on the registration list) and what
it says. The rules (empty, too long, unknown placeholders, nobody in the segment) live in the service."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.fields import Field
from wtforms.validators import Length

from eventreg.form_errors import ServiceErrors
from eventreg.messages.services import MAX_SUBJECT, Draft, Segment
from eventreg.registration import organizer

STATUS_CHOICES = [SelectChoice("", _l("Any status")), SelectChoice("confirmed", _l("Confirmed")),
                  SelectChoice("waitlisted", _l("On the waiting list")),
                  SelectChoice("pending", _l("Waiting for approval")), SelectChoice("cancelled", _l("Cancelled")),
                  SelectChoice("rejected", _l("Not approved"))]


class PeopleField(Field):
    """The ids of the people ticked on the registration list (checkboxes named `ids`)."""

    def process_formdata(self, valuelist):
        if not all(v.isascii() and v.isdigit() and len(v) < 19 for v in valuelist):
            raise ValueError(_l("The ticked rows could not be read. Open the list again and tick them anew."))
        self.data = [int(v) for v in valuelist]

    def _value(self):
        return ""


class MessageForm(FlaskForm, ServiceErrors):
    status = SelectField(_l("Status"), choices=STATUS_CHOICES, default="confirmed", validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    attendance = SelectField(_l("Attendance"), validate_choice=False)
    university = SelectField(_l("University"), validate_choice=False)
    q = StringField(_l("Name, e-mail or organization contains"), validators=[Length(max=200)])
    ids = PeopleField()
    subject = StringField(_l("Subject"), render_kw={"maxlength": MAX_SUBJECT})
    body = TextAreaField(_l("Message"), render_kw={"rows": 12})
    essential = BooleanField(_l("About a change to the seminar (its time, place or programme)"),
                             description=_l("Sent also to people who unsubscribed from the organizers' messages, "
                                            "with no link to unsubscribe. Use it for nothing else."))

    def set_choices(self, seminar, universities):
        self.category.choices = [SelectChoice("", _l("Any category")),
                                 *(SelectChoice(c.key, c.label) for c in seminar.categories)]
        self.attendance.choices = [SelectChoice("", _l("Any")), *(SelectChoice(value, label) for value, label
                                                                  in organizer.attendance_choices(seminar))]
        self.university.choices = [SelectChoice("", _l("Any university")),
                                   *(SelectChoice(name, name) for name in universities)]

    def draft(self):
        """The message as the service takes it: the ticked people if any, else the criteria."""
        if self.ids.data:
            segment = Segment(ids=tuple(self.ids.data))
        else:
            segment = Segment(status=self.status.data or "", category_key=self.category.data or "",
                              attendance=self.attendance.data or "", university=self.university.data or "",
                              q=(self.q.data or "").strip())
        body = (self.body.data or "").replace("\r\n", "\n").rstrip()
        return Draft(subject=(self.subject.data or "").strip(), body=body, segment=segment,
                     essential=bool(self.essential.data))
