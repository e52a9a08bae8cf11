"""Accounts: registration rules, user creation and sign-in throttling."""
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from accounts.models import FEMALE, PASSWORD_METHOD, HeldLicence, LoginFailure, User
from core.access import APPLICANT, ROLES
from core.clock import local_today, now_utc
from core.errors import Conflict, PlatformError, ValidationError
from core.extensions import db
from core.sim_classes import SIM_CLASSES, age_on, months_between
from exam.models import Application

NIK_PATTERN = re.compile(r"^\d{16}$")
MIN_PASSWORD_LENGTH = 10


class TooManyAttempts(PlatformError):
    status = 429


@dataclass(frozen=True)
class HeldClass:
    sim_class: str
    issued_on: date
    licence_number: str


NIK_PREFIX_DIGITS = 12  # district (6) and the birth date with the sex in its day (6)
NIK_PREFIX_DAYS = 30


def nik_problem(nik: str, born: date | None, sex: str | None = None) -> str | None:
    """Why a NIK is invalid, or None. A NIK is 16 digits: province (11-94), regency,
    district, then the birth date as DDMMYY with 40 added to the day for women."""
    if not NIK_PATTERN.match(nik):
        return _("The NIK must be exactly 16 digits.")
    if not 11 <= int(nik[:2]) <= 94:
        return _("The NIK does not start with a valid province code.")
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return _("The NIK does not contain a valid date of birth.")
    if born is not None and (day, month, year) != (born.day, born.month, born.year % 100):
        return _("The date of birth in the NIK does not match the date of birth you entered.")
    if sex is not None and female != (sex == FEMALE):
        return _("The NIK does not match the sex you chose (for women the NIK adds 40 to the day of birth).")
    return None


def nik_prefix_exhausted(nik: str, now) -> bool:
    """Whether REGISTER_NIK_PREFIX_LIMIT accounts were opened in the last 30 days with
    NIKs sharing this one's district, birth date and sex."""
    since = now - timedelta(days=NIK_PREFIX_DAYS)
    recent = db.session.scalar(select(func.count(User.id)).where(
        User.nik.startswith(nik[:NIK_PREFIX_DIGITS], autoescape=True), User.created_at >= since)) or 0
    return recent >= current_app.config["REGISTER_NIK_PREFIX_LIMIT"]


def eligibility_problem(sim_class: str, born: date, held: list[HeldClass], today: date) -> str | None:
    """Why someone may not apply for a class (age, licence held), or None."""
    spec = SIM_CLASSES.get(sim_class)
    if spec is None:
        return _("Unknown SIM class.")
    if born > today:
        return _("The date of birth cannot be in the future.")
    age = age_on(born, today)
    if age < spec.min_age:
        return _(
            "For SIM %(label)s you must be at least %(min_age)s years old (Perpol No. 5 Tahun 2021); you are %(age)s.",
            label=spec.label, min_age=spec.min_age, age=age,
        )
    if spec.prerequisites:
        qualifying = [h for h in held if h.sim_class in spec.prerequisites]
        needed = " / ".join(SIM_CLASSES[c].label for c in spec.prerequisites)
        if not qualifying:
            return _("SIM %(label)s requires holding SIM %(needed)s for at least %(months)s months.",
                     label=spec.label, needed=needed, months=spec.held_months)
        if all(months_between(h.issued_on, today) < spec.held_months for h in qualifying):
            return _("You must have held SIM %(needed)s for at least %(months)s months before applying for SIM %(label)s.",
                     label=spec.label, needed=needed, months=spec.held_months)
    return None


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(_("The password must be at least %(n)s characters long.", n=MIN_PASSWORD_LENGTH))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(func.lower(User.email) == email.lower())) is not None


def register_applicant(*, full_name: str, nik: str, born: date, email: str, password: str,
                       sim_class: str, held: list[HeldClass], sex: str | None = None) -> User:
    """Create an applicant account and its first application. Raises `ValidationError`,
    `Conflict` (NIK or e-mail known) or 429 (too many recent accounts on NIKs like this one)."""
    today = local_today()
    problem = nik_problem(nik, born, sex) or eligibility_problem(sim_class, born, held, today)
    if problem:
        raise ValidationError(problem)
    validate_password(password)
    if nik_prefix_exhausted(nik, now_utc()):
        raise PlatformError(_("Too many accounts were opened recently for NIKs of this district and date of "
                              "birth. Please register at a SIM office (Satpas) with your KTP."), status=429)
    if email_taken(email) or db.session.scalar(select(User.id).where(User.nik == nik)) is not None:
        # One answer for a known e-mail and a known NIK, so neither can be probed.
        raise Conflict(_("This registration cannot be accepted. If you already have an account, sign in; "
                         "otherwise check your NIK and e-mail address."))
    user = User(email=email.lower(), full_name=full_name.strip(), role=APPLICANT, nik=nik, date_of_birth=born,
                created_at=now_utc())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    for licence in held:
        db.session.add(HeldLicence(user_id=user.id, sim_class=licence.sim_class, issued_on=licence.issued_on,
                                   licence_number=licence.licence_number))
    db.session.add(Application(user_id=user.id, sim_class=sim_class))
    db.session.commit()
    return user


def create_user(*, email: str, password: str, full_name: str, role: str) -> User:
    """Create a staff-side account (or an applicant without registration checks)."""
    if role not in ROLES:
        raise ValidationError(_("Unknown role."))
    validate_password(password)
    if email_taken(email):
        raise Conflict(_("An account with this e-mail address already exists."))
    user = User(email=email.lower(), full_name=full_name, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def held_licences(user: User) -> list[HeldClass]:
    rows = db.session.scalars(select(HeldLicence).where(HeldLicence.user_id == user.id))
    return [HeldClass(r.sim_class, r.issued_on, r.licence_number) for r in rows]


def _recent_failures(since, **match: str) -> int:
    conditions = [getattr(LoginFailure, column) == value for column, value in match.items()]
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(*conditions, LoginFailure.at >= since)
    ) or 0


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


def authenticate(email: str, password: str, ip_address: str) -> User:
    """Check credentials, refusing while an account or address is locked out.

    Failures are counted over the lockout window per e-mail and address (guessing
    one password), per address (spraying many accounts), and per e-mail from any
    address with a higher limit (distributed guessing), so one stranger cannot
    lock an applicant out from every network with a handful of tries. Past the
    per-e-mail limit, an address gets one try until it fails once, so the lockout
    cannot be used to keep the owner out. The per-address limit stays hard (it stops
    one password sprayed over many accounts); behind a proxy, TRUSTED_PROXIES makes it
    count the real client address, not the proxy's. Unknown
    e-mails cost a password hash too, so timing does not reveal who has an account.
    """
    config = current_app.config
    since = now_utc() - timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    email = email.strip().lower()
    pair_failures = _recent_failures(since, email=email, ip_address=ip_address)
    account_under_attack = _recent_failures(since, email=email) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    # An account under attack still lets each address that has not failed on it try once:
    # the owner's right password gets in, a guesser gets one guess per address.
    if (pair_failures >= config["LOGIN_MAX_FAILURES"] or (account_under_attack and pair_failures > 0)
            or _recent_failures(since, ip_address=ip_address) >= config["LOGIN_MAX_FAILURES_PER_IP"]):
        raise TooManyAttempts(_("Too many failed sign-in attempts. Please wait %(minutes)s minutes and try again.",
                                minutes=config["LOGIN_LOCKOUT_MINUTES"]))
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_hash(_dummy_hash(), password)
    if user is None or not user.check_password(password) or not user.is_active:
        db.session.add(LoginFailure(email=email, ip_address=ip_address, at=now_utc()))
        db.session.commit()
        raise ValidationError(_("The e-mail address or password is wrong."), status=401)
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    user.end_sessions()
    db.session.commit()
