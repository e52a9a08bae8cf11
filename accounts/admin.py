"""Admin user management: list accounts, change a role or (de)activate an account.
Every change is written to the audit trail."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from accounts.models import User
from core.access import ROLES
from core.audit import record
from core.errors import Conflict, NotFound, ValidationError
from core.extensions import db

PAGE_SIZE = 50


def list_users(text: str = "", role: str = "", page: int = 1) -> tuple[list[User], int]:
    query = select(User)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))
    if role in ROLES:
        query = query.where(User.role == role)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = db.session.scalars(query.order_by(User.id).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)).all()
    return list(users), total


def _target(user_id: int, actor: User) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Account not found."))
    if user.id == actor.id:
        raise Conflict(_("You cannot change your own account here; ask another administrator."))
    return user


def change_role(user_id: int, role: str, actor: User) -> User:
    if role not in ROLES:
        raise ValidationError(_("Unknown role."))
    user = _target(user_id, actor)
    if user.role != role:
        record("user.role_change", actor_id=actor.id, target_type="user", target_id=user.id,
               details={"email": user.email, "from": user.role, "to": role})
        user.role = role
        db.session.commit()
    return user


def set_active(user_id: int, active: bool, actor: User) -> User:
    user = _target(user_id, actor)
    if user.active != active:
        record("user.activate" if active else "user.deactivate", actor_id=actor.id, target_type="user",
               target_id=user.id, details={"email": user.email})
        user.active = active
        db.session.commit()
    return user
