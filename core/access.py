"""Access rules as decorators. Every view states who may use it.

`roles_required` answers 401 JSON / redirect to login for anonymous callers and
403 for signed-in users of another role. `public` marks a view as open to all,
so the route-access test can tell an intentional public page from a forgotten check.
"""
from collections.abc import Callable
from functools import wraps

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.errors import error_response, wants_json

APPLICANT = "applicant"
EXAMINER = "examiner"
STAFF = "staff"
ADMIN = "admin"
ROLES = (APPLICANT, EXAMINER, STAFF, ADMIN)


def public(view: Callable) -> Callable:
    view.allowed_roles = "public"
    return view


def roles_required(*roles: str) -> Callable:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if wants_json():
                    return error_response(_("Please sign in first."), 401)
                return redirect(url_for("accounts.login", next=request.full_path))
            if current_user.role not in roles:
                return error_response(_("You do not have access to this page."), 403)
            return view(*args, **kwargs)

        wrapper.allowed_roles = tuple(roles)
        return wrapper

    return decorator
