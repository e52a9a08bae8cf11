"""Accounts: users, roles, registration and sign-in."""
from flask import Blueprint

bp = Blueprint("accounts", __name__)


def attach_routes() -> Blueprint:
    """The blueprint with its routes attached (views import lazily to avoid import cycles)."""
    from accounts import views  # noqa: F401

    return bp
