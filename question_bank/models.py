"""Questions are versioned: an edit adds a `QuestionVersion`, never rewrites one,
so a paper that points at a version can be shown and re-scored exactly later."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import now_utc
from core.extensions import db

TOPICS: dict[str, tuple[str, str]] = {
    "regulations": ("Peraturan lalu lintas", "Traffic regulations"),
    "signs": ("Rambu, marka, dan APILL", "Signs, markings and signals"),
    "safe_driving": ("Teknik mengemudi aman", "Safe-driving technique"),
    "hazard_perception": ("Persepsi bahaya", "Hazard perception"),
    "ethics": ("Etika dan perilaku berlalu lintas", "Driving ethics and behaviour"),
    "vehicle": ("Pengetahuan dasar kendaraan", "Vehicle basics"),
    "first_aid": ("Kecelakaan dan pertolongan pertama", "Accident duty and first aid"),
}

ACTIVE = "active"
RETIRED = "retired"
# In the practice pool: shown with its answer in practice, never drawn for an exam, so no
# exam question's key can be collected through practice.
PRACTICE = "practice"

# How a version's texts are stored: plain text (line breaks kept), or HTML that went
# through `question_bank.rich_text.sanitise` (lists, tables, sub/sup, links).
PLAIN = "plain"
HTML = "html"


class Question(db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE, index=True)
    # Questions of one exclusion group ask the same thing: a paper holds at most one of them.
    exclusion_group: Mapped[str | None] = mapped_column(String(40))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    current_version: Mapped["QuestionVersion | None"] = relationship(foreign_keys=[current_version_id])
    versions: Mapped[list["QuestionVersion"]] = relationship(
        back_populates="question", foreign_keys="QuestionVersion.question_id", order_by="QuestionVersion.number"
    )


class QuestionVersion(db.Model):
    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(30), index=True)
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    options: Mapped[list[dict]] = mapped_column(JSON)
    explanation_id: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(300), default="")
    image: Mapped[str | None] = mapped_column(String(200))
    text_format: Mapped[str] = mapped_column(String(10), default=PLAIN, server_default=PLAIN)
    # A text, an option or the explanation lacks one of the two languages: such a version is
    # never drawn for a paper (exam or practice) until a translated version replaces it.
    translation_needed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    question: Mapped[Question] = relationship(back_populates="versions", foreign_keys=[question_id])
    classes: Mapped[list["QuestionVersionClass"]] = relationship(cascade="all, delete-orphan")

    @property
    def class_codes(self) -> list[str]:
        return sorted(c.sim_class for c in self.classes)

    @property
    def correct_index(self) -> int:
        """Index of the correct option in stored order (never sent before submission)."""
        return next(i for i, option in enumerate(self.options) if option["correct"])


class QuestionVersionClass(db.Model):
    """Which SIM classes a question version applies to (a row per class, for SQL filtering)."""

    __tablename__ = "question_version_classes"

    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id", ondelete="CASCADE"), primary_key=True)
    sim_class: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)


class CategoryMapping(db.Model):
    """The bank topic staff chose for a category path of an imported file (Moodle
    category, GIFT $CATEGORY), remembered for the next import of the same path."""

    __tablename__ = "import_category_mappings"

    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    topic: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, onupdate=now_utc)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PendingImport(db.Model):
    """An uploaded file between its preview and the staff member's confirmation: the
    upload, the choices made on the preview page and the plan that was shown. Only the
    user who uploaded it can confirm it, before `expires_at`."""

    __tablename__ = "pending_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255), default="")
    upload: Mapped[bytes] = mapped_column(LargeBinary)
    options: Mapped[dict] = mapped_column(JSON)
    plan: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
