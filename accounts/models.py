from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from core.clock import now_utc
from core.extensions import db

PASSWORD_METHOD = "scrypt"
MALE, FEMALE = "L", "P"  # the sex as the KTP writes it: laki-laki, perempuan


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20), index=True)
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    # Part of the id kept in the signed session cookie: bumping it (on sign-out) makes
    # every cookie issued before unusable, although its signature stays valid.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session cookie of this user (no commit)."""
        self.session_version = (self.session_version or 0) + 1

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class HeldLicence(db.Model):
    """A SIM the applicant says they already hold (needed to apply for C I, C II, B I, ...)."""

    __tablename__ = "held_licences"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sim_class: Mapped[str] = mapped_column(String(10))
    issued_on: Mapped[date] = mapped_column(Date)
    licence_number: Mapped[str] = mapped_column(String(20))


class LoginFailure(db.Model):
    """One failed sign-in; recent rows per e-mail and per IP drive the lockout."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip_address: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
