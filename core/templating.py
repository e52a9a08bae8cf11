"""Template filters: pick the current language from bilingual content, format dates."""
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _

from core.sim_classes import SIM_CLASSES, SimClass
from question_bank.images import image_url
from question_bank.models import TOPICS
from question_bank.rich_text import render as rich_text


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "id"


def localized(value: dict) -> str:
    """{'id': ..., 'en': ...} -> the text in the current language (Indonesian as fallback)."""
    return value.get(current_language()) or value.get("id", "")


def topic_label(topic: str) -> str:
    label_id, label_en = TOPICS[topic]
    return label_en if current_language() == "en" else label_id


def localized_description(sim: SimClass) -> str:
    return sim.description_en if current_language() == "en" else sim.description_id


def role_label(role: str) -> str:
    labels = {"applicant": _("Applicant"), "examiner": _("Examiner"), "staff": _("Question-bank staff"),
              "admin": _("Administrator")}
    return labels.get(role, role)


def register_filters(app: Flask) -> None:
    app.add_template_filter(role_label)
    app.add_template_filter(localized)
    app.add_template_filter(rich_text, "rich_text")  # plain text escaped, HTML re-sanitised
    app.add_template_filter(topic_label)
    app.add_template_filter(image_url, "question_image_url")
    app.add_template_filter(localized_description)
    app.add_template_filter(lambda code: SIM_CLASSES[code].label, "sim_label")
    app.add_template_filter(lambda value: format_date(value, "medium") if value else "", "format_date")
    app.add_template_filter(lambda value: format_datetime(value, "medium") if value else "", "format_datetime")
