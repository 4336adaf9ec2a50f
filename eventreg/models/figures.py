"""What the report still needs of people whose personal data was erased: counts, not people.

Erasure blanks a registration's university, level of study and organization (with a small group they can
name someone). Before it does, the registration's part of the report's breakdowns is added to these counters,
so the summary of a past seminar reads the same after its people are forgotten.
"""

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eventreg.extensions import db

# student: label is the university, level the level of study; organization: label is the organization.
ERASED_FIGURE_DIMENSIONS = ("student", "organization")


class ErasedFigure(db.Model):
    __tablename__ = "erased_figure"
    __table_args__ = (
        UniqueConstraint("seminar_id", "dimension", "label", "level"),
        CheckConstraint("dimension IN ('student', 'organization')", name="dimension"),
        CheckConstraint("registered >= 0 AND attended >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seminar_id: Mapped[int] = mapped_column(ForeignKey("seminar.id", ondelete="CASCADE"), index=True)
    dimension: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300), default="")
    level: Mapped[str] = mapped_column(String(20), default="")  # "" when not given or not a student figure
    registered: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
