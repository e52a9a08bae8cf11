"""The applicant's exam: blueprints, applications, attempts, results, and the JSON API."""
from flask import Blueprint

bp = Blueprint("exam", __name__)
api = Blueprint("exam_api", __name__, url_prefix="/api/v1")


def attach_routes() -> tuple[Blueprint, Blueprint]:
    """The web and API blueprints with their routes attached."""
    from exam import admin_views, api_views, practice_views, views  # noqa: F401

    return bp, api
