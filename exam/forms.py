from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from core.forms import Form
from core.sim_classes import SIM_CLASSES
from exam.models import FREE_NAVIGATION, TIMED_PER_QUESTION


class ConsentForm(Form):
    consent = BooleanField(_l("I have read the rules, I am taking this exam myself, and I agree to be supervised."),
                           validators=[DataRequired()])


class QuestionForm(Form):
    choice = RadioField(choices=[], validate_choice=False, validators=[Optional()])
    flagged = BooleanField(_l("Flag for review"))
    action = HiddenField()


class SubmitForm(Form):
    confirm = HiddenField(default="1")


class VerifyForm(Form):
    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(min=11, max=11),
                                                           Regexp(r"^[A-Za-z0-9]{5}-[A-Za-z0-9]{5}$")])


class BlueprintForm(Form):
    delivery_mode = SelectField(_l("Delivery mode"), choices=[
        SelectChoice(FREE_NAVIGATION, _l("Free navigation with a total time")),
        SelectChoice(TIMED_PER_QUESTION, _l("Timed per question (AVIS style), no going back")),
    ])
    duration_minutes = IntegerField(_l("Total time (minutes, free navigation)"), validators=[InputRequired(), NumberRange(1, 240)])
    seconds_per_question = IntegerField(_l("Seconds per question (timed per question)"), validators=[InputRequired(), NumberRange(5, 600)])
    pass_mark = IntegerField(_l("Pass mark (number correct)"), validators=[InputRequired(), NumberRange(1, 200)])


class PracticeStartForm(Form):
    sim_class = SelectField(_l("SIM class"), choices=lambda: [SelectChoice(c.code, f"SIM {c.label}") for c in SIM_CLASSES.values()])


class PracticeAnswerForm(Form):
    choice = HiddenField()
