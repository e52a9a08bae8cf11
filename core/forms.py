"""The base form: WTForms' built-in validation messages go through our own catalogue.

WTForms ships no Indonesian translation, so the messages its validators and fields
use are listed below for extraction and translated in translations/id with the rest
of the UI. Every form in the project derives from `Form`.
"""
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import (
    lazy_ngettext as ngettext,  # named so pybabel's default keywords extract it
)
from flask_wtf import FlaskForm


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return get_translations()


WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Field must be equal to %(other_name)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1),
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1),
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 1),
)
