"""Password hashing (argon2), login with lockout, bearer tokens (JWT), user management."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.enums import Role
from yingji.auth.models import User
from yingji.auth.schemas import UserCreate
from yingji.config import Settings
from yingji.db.base import utcnow
from yingji.errors import Conflict, InvalidField, Unauthorized

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(*, session: Session, settings: Settings, username: str, password: str) -> User:
    """Check a password; count failures and lock the account after too many.

    Raises Unauthorized with one message for every failure so that a caller cannot tell
    unknown users from wrong passwords; a locked account says it is locked.
    """
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)  # same work either way
        raise Unauthorized("incorrect username or password")
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        raise Unauthorized(
            f"account locked after repeated failed logins; try again after {user.locked_until:%H:%M} UTC"
        )
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.login_max_failures:
            user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            user.failed_logins = 0
        # The one write a service commits itself: the request fails (401) and its transaction is
        # rolled back, which would otherwise undo the count and make the lockout unreachable.
        session.commit()
        raise Unauthorized("incorrect username or password")
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return user


def create_token(*, settings: Settings, user: User) -> tuple[str, int]:
    ttl = settings.token_ttl_minutes * 60
    now = utcnow()
    payload = {"sub": str(user.id), "role": user.role, "iat": now, "exp": now + timedelta(seconds=ttl)}
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM), ttl


def user_from_token(*, session: Session, settings: Settings, token: str) -> User:
    try:
        payload: dict[str, Any] = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM])
        user_id = int(payload["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        raise Unauthorized("invalid or expired token") from None
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("invalid or expired token")
    return user


def csrf_token(*, settings: Settings, session_token: str) -> str:
    """The CSRF token bound to a session cookie (HMAC of the session token)."""
    return hmac.new(settings.secret_key.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def check_csrf(*, settings: Settings, session_token: str, supplied: str | None) -> bool:
    return supplied is not None and hmac.compare_digest(
        csrf_token(settings=settings, session_token=session_token), supplied
    )


def create_user(*, session: Session, user_in: UserCreate, actor: Any | None) -> User:
    from yingji.registry.models import Division, Unit

    if session.scalar(select(User).where(User.username == user_in.username)) is not None:
        raise Conflict(f"username {user_in.username!r} is taken")
    if user_in.role == Role.county and not user_in.division_code:
        raise InvalidField("division_code", "a county user needs a division")
    if user_in.role == Role.department and user_in.unit_id is None:
        raise InvalidField("unit_id", "a department user needs a unit")
    if user_in.division_code and session.get(Division, user_in.division_code) is None:
        raise InvalidField("division_code", f"unknown division {user_in.division_code}")
    if user_in.unit_id is not None and (
        not -(2**31) <= user_in.unit_id < 2**31 or session.get(Unit, user_in.unit_id) is None
    ):
        raise InvalidField("unit_id", f"unknown unit {user_in.unit_id}")
    data = user_in.model_dump(exclude={"password"})
    user = User(**data, password_hash=hash_password(user_in.password))
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="create", entity_type="users",
                 entity_id=user.id, before=None, after=user.to_dict())
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))
