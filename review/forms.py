"""Forms of the review pages. Filter forms read the query string and carry no CSRF
token (they change nothing); the others post with one."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from core.sim_classes import SIM_CLASSES
from core.templating import localized
from proctoring.labels import flag_kind_label
from proctoring.rules import FLAG_KINDS
from review.models import FLAG_VERDICTS, INVALID, REASONS, VALID
from review.queue import REVIEW_STATES, UNREVIEWED


def reason_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose a reason…"))] + [SelectChoice(code, localized(labels))
                                                         for code, labels in REASONS.items()]


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=[SelectChoice(VALID, _l("Valid")), SelectChoice(INVALID, _l("Invalid"))],
                         validators=[InputRequired(_l("Choose valid or invalid."))])
    reason = SelectField(_l("Reason"), choices=reason_choices, validators=[DataRequired(_l("Choose a reason."))])
    note = TextAreaField(_l("Notes (for examiners)"), validators=[Optional(), Length(max=2000)])
    override = BooleanField(_l("Override the earlier decision or another examiner's claim"))
    override_reason = TextAreaField(_l("Why override?"), validators=[Optional(), Length(max=1000)])
    expected = IntegerField(validators=[InputRequired(), NumberRange(min=0)])


class FlagMarkForm(FlaskForm):
    verdict = SelectField(choices=[SelectChoice(v, v) for v in FLAG_VERDICTS], validators=[DataRequired()])


class ReleaseForm(FlaskForm):
    confirm = HiddenField(default="1")


class _GetForm(FlaskForm):
    class Meta:
        csrf = False


class QueueFilterForm(_GetForm):
    date_from = DateField(_l("Submitted from"), validators=[Optional()])
    date_to = DateField(_l("Submitted until"), validators=[Optional()])
    sim_class = SelectField(_l("SIM class"), validators=[Optional()],
                            choices=lambda: [SelectChoice("", _l("All"))]
                            + [SelectChoice(c.code, c.label) for c in SIM_CLASSES.values()])
    outcome = SelectField(_l("Result"), validators=[Optional()],
                          choices=[SelectChoice("", _l("All")), SelectChoice("passed", _l("Passed")),
                                   SelectChoice("failed", _l("Not passed"))])
    flag_kind = SelectField(_l("Flag type"), validators=[Optional()],
                            choices=lambda: [SelectChoice("", _l("All"))]
                            + [SelectChoice(kind, flag_kind_label(kind)) for kind in FLAG_KINDS])
    reviewed = SelectField(_l("Review"), validators=[Optional()], default=UNREVIEWED, choices=[
        SelectChoice(REVIEW_STATES[0], _l("Awaiting review")), SelectChoice(REVIEW_STATES[1], _l("Reviewed")),
        SelectChoice(REVIEW_STATES[2], _l("Auto-cleared")), SelectChoice(REVIEW_STATES[3], _l("All"))])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)], default=1)


class AuditFilterForm(_GetForm):
    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)])
    actor = StringField(_l("Actor (e-mail, name or “system”)"), validators=[Optional(), Length(max=120)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1)], default=1)


class ReportFilterForm(_GetForm):
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
