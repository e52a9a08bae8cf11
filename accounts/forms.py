from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from accounts.models import FEMALE, MALE
from core.access import ROLES
from core.forms import Form
from core.sim_classes import SIM_CLASSES


def class_choices() -> list[SelectChoice]:
    return [SelectChoice(c.code, f"SIM {c.label}") for c in SIM_CLASSES.values()]


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class RegistrationForm(Form):
    full_name = StringField(_l("Full name (as on your KTP)"), validators=[DataRequired(), Length(min=2, max=120)])
    nik = StringField(_l("NIK (16 digits)"), validators=[DataRequired(), Regexp(r"^\d{16}$", message=_l("The NIK must be exactly 16 digits."))])
    date_of_birth = DateField(_l("Date of birth"), validators=[DataRequired()])
    sex = SelectField(_l("Sex (as on your KTP)"),
                      choices=[SelectChoice("", "—"), SelectChoice(MALE, _l("Male")), SelectChoice(FEMALE, _l("Female"))],
                      validators=[DataRequired(message=_l("Choose the sex shown on your KTP."))])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))])
    sim_class = SelectField(_l("SIM class applied for"), choices=class_choices, validators=[DataRequired()])
    held_class = SelectField(_l("SIM you already hold (needed for C I, C II, B I, B II and Umum)"),
                             choices=lambda: [SelectChoice("", "—")] + class_choices(), validators=[Optional()])
    held_issued_on = DateField(_l("Issued on"), validators=[Optional()])
    held_number = StringField(_l("Licence number"), validators=[Optional(), Length(max=20)])
    accept_terms = BooleanField(_l("I confirm the data above is true."), validators=[DataRequired()])


class NewApplicationForm(Form):
    sim_class = SelectField(_l("SIM class"), choices=class_choices, validators=[DataRequired()])


class UserAdminForm(Form):
    role = SelectField(_l("Role"), choices=lambda: [SelectChoice("", "—")] + [SelectChoice(r, r) for r in ROLES],
                       validate_choice=False, validators=[Optional()])
    active = SelectField(_l("Account"), choices=[SelectChoice("", "—"), SelectChoice("1", _l("active")),
                                                 SelectChoice("0", _l("deactivated"))], validators=[Optional()])
