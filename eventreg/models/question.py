"""A seminar's own questions on the signup form, and each registration's answers to them."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from eventreg.extensions import db
from eventreg.models.base import UTCDateTime, one_of, utcnow

QUESTION_KINDS = ("short_text", "long_text", "single_choice", "multiple_choice", "checkbox", "date", "number")
CHOICE_KINDS = ("single_choice", "multiple_choice")

# The categories a question is shown to; none at all means everyone.
question_category = Table(
    "question_category",
    db.Model.metadata,
    Column("question_id", ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("seminar_id", "key", name="uq_question_seminar_key"),
        CheckConstraint(one_of("kind", QUESTION_KINDS), name="kind"),
        CheckConstraint("min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"key": "vegetarian", "label": "Vegetarian"}, ...]: the key is what answers store, so a label can change.
    choices: Mapped[list] = mapped_column(JSON, default=list)
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # Other languages: {"label": {"ru": ...}, "help_text": {"ru": ...}, "choices": {"ru": {choice key: label}}}.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    seminar = relationship("Seminar", backref=backref("questions", cascade="all, delete-orphan",
                                                      order_by="Question.position"))
    # Read with the questions (one query for all of them): the signup form asks each question whom it is for.
    categories = relationship("Category", secondary=question_category, order_by="Category.position",
                              lazy="selectin")

    @property
    def is_choice(self):
        return self.kind in CHOICE_KINDS

    def localized(self, field, locale):
        """`field` (label or help_text) in `locale`, or the text as the organizer wrote it."""
        return (self.translations or {}).get(field, {}).get(str(locale)) or getattr(self, field)

    def choice_labels(self, locale=None):
        """[(key, label)] in order, each label in `locale` where it is translated."""
        translated = (self.translations or {}).get("choices", {}).get(str(locale), {}) if locale else {}
        return [(choice["key"], translated.get(choice["key"]) or choice["label"]) for choice in self.choices or ()]

    def applies_to(self, category):
        """Shown to people of `category` (None: no category chosen yet, so only questions for everyone)."""
        if not self.categories:
            return True
        return category is not None and any(c.id == category.id for c in self.categories)


class Answer(db.Model):
    """One registration's answer to one question, as text: a choice's key (several joined by commas), "yes" for a
    ticked box, an ISO date, a number as written without its locale (2.5). No answer, no row."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("registration_id", "question_id", name="uq_answer_registration_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    value: Mapped[str] = mapped_column(Text)

    question = relationship(Question)
    registration = relationship("Registration", backref=backref("answers", cascade="all, delete-orphan",
                                                                passive_deletes=True))
