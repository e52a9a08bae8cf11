from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from core.forms import Form
from core.sim_classes import SIM_CLASSES
from question_bank.images import bundled_images
from question_bank.models import TOPICS

LETTERS = "abcd"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def topic_choices() -> list[SelectChoice]:
    return [SelectChoice(key, f"{label_id} / {label_en}") for key, (label_id, label_en) in TOPICS.items()]


class QuestionForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20),
                                               Regexp(r"^[A-Z]{2,5}-\d{1,5}$", message=_l("Use the form ABC-123."))])
    topic = SelectField(_l("Topic"), choices=topic_choices, validators=[DataRequired()])
    classes = MultiCheckboxField(_l("SIM classes"), choices=lambda: [SelectChoice(c.code, c.label) for c in SIM_CLASSES.values()],
                                 validators=[DataRequired(message=_l("Choose at least one SIM class."))])
    text_id = TextAreaField(_l("Question (Bahasa Indonesia)"), validators=[DataRequired(), Length(max=2000)])
    text_en = TextAreaField(_l("Question (English)"), validators=[Optional(), Length(max=2000)])
    option_a_id = StringField("A (id)", validators=[DataRequired(), Length(max=500)])
    option_a_en = StringField("A (en)", validators=[Optional(), Length(max=500)])
    option_b_id = StringField("B (id)", validators=[DataRequired(), Length(max=500)])
    option_b_en = StringField("B (en)", validators=[Optional(), Length(max=500)])
    # C may stay empty only for a two-option (true/false) question being edited; see editing._check.
    option_c_id = StringField("C (id)", validators=[Optional(), Length(max=500)])
    option_c_en = StringField("C (en)", validators=[Optional(), Length(max=500)])
    option_d_id = StringField(_l("D (id, optional)"), validators=[Optional(), Length(max=500)])
    option_d_en = StringField(_l("D (en, optional)"), validators=[Optional(), Length(max=500)])
    correct = RadioField(_l("Correct option"), choices=[SelectChoice(x, x.upper()) for x in LETTERS],
                         validators=[DataRequired()])
    explanation_id = TextAreaField(_l("Explanation (Bahasa Indonesia)"), validators=[DataRequired(), Length(max=3000)])
    explanation_en = TextAreaField(_l("Explanation (English)"), validators=[Optional(), Length(max=3000)])
    reference = StringField(_l("Rule cited"), validators=[Optional(), Length(max=300)])
    image = SelectField(_l("Image"), choices=lambda: [SelectChoice("", "—")] + [SelectChoice(i, i) for i in bundled_images()],
                        validate_choice=False, validators=[Optional()])
    upload = FileField(_l("Or upload an image (PNG, JPEG or WebP, at most 2 MB)"))

    def to_data(self, image: str | None) -> dict:
        """The form as a question in the data-file format. Also called for a refused post (the
        editor's cue warnings), so a field missing from the post (None) reads as empty."""
        options = []
        for letter in LETTERS:
            text_id = (getattr(self, f"option_{letter}_id").data or "").strip()
            if text_id:
                options.append({"id": text_id, "en": (getattr(self, f"option_{letter}_en").data or "").strip(),
                                "correct": self.correct.data == letter})
        return {
            "code": (self.code.data or "").strip(), "topic": self.topic.data, "classes": list(self.classes.data or []),
            "image": image, "text": {"id": (self.text_id.data or "").strip(), "en": (self.text_en.data or "").strip()},
            "options": options,
            "explanation": {"id": (self.explanation_id.data or "").strip(), "en": (self.explanation_en.data or "").strip()},
            "reference": (self.reference.data or "").strip(),
        }

    def fill_from(self, data: dict) -> None:
        self.code.data, self.topic.data, self.classes.data = data["code"], data["topic"], data["classes"]
        self.text_id.data, self.text_en.data = data["text"]["id"], data["text"]["en"]
        for letter, option in zip(LETTERS, data["options"]):
            getattr(self, f"option_{letter}_id").data = option["id"]
            getattr(self, f"option_{letter}_en").data = option["en"]
            if option["correct"]:
                self.correct.data = letter
        self.explanation_id.data, self.explanation_en.data = data["explanation"]["id"], data["explanation"]["en"]
        self.reference.data, self.image.data = data["reference"], data["image"] or ""


class StatusForm(Form):
    pass


class GroupForm(Form):
    exclusion_group = StringField(
        _l("Exclusion group"), validators=[Optional(), Length(max=40), Regexp(
            r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits and '-', e.g. level-crossing."))])


def language_choices() -> list[SelectChoice]:
    return [SelectChoice("id", _l("Bahasa Indonesia")), SelectChoice("en", _l("English"))]


class ImportForm(Form):
    format = SelectField(_l("Format"), choices=lambda: [SelectChoice(f.name, f.label) for f in _formats()])
    file = FileField(_l("File"))
    language = SelectField(_l("Language of text without language marks (Moodle, GIFT, Aiken)"),
                           choices=language_choices, default="id")


def _formats():
    from question_bank.transfer import FORMATS

    return FORMATS.values()


class ImportChoicesForm(Form):
    """The preview page's choices; the topic of each category path is a select named
    `category-<n>` (n: the path's place in the plan), read by the view."""

    classes = MultiCheckboxField(_l("SIM classes of questions that name none"),
                                 choices=lambda: [SelectChoice(c.code, c.label) for c in SIM_CLASSES.values()])
    language = SelectField(_l("Language of text without language marks"), choices=language_choices)


class ImportConfirmForm(Form):
    skip_refused = BooleanField(_l("Import the others: leave out the questions that are refused"))
