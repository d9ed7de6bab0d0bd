"""Request dependencies shared by every router: settings, the transaction, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.errors import Forbidden, TooLarge, Unauthorized

SESSION_COOKIE = "yingji_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": the commit runs when the handler returns, before the response is sent, so a
# client that got 2xx can rely on the write being durable (and a failed commit is an error, not a 2xx).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return None


def get_current_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    """Bearer token (API clients) or session cookie (web UI; unsafe methods need the CSRF header)."""
    token = _bearer(request)
    if token is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is None:
            raise Unauthorized("not authenticated")
        if request.method not in SAFE_METHODS and not auth_service.check_csrf(
            settings=settings, session_token=cookie, supplied=request.headers.get(CSRF_HEADER)
        ):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header for a cookie-authenticated request")
        token = cookie
    user = auth_service.user_from_token(session=session, settings=settings, token=token)
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_admin(user: CurrentUser) -> User:
    if user.role != "admin":
        raise Forbidden("administrators only")
    return user


AdminUser = Annotated[User, Depends(require_admin)]


def read_upload(file: UploadFile, limit: int, field: str = "file") -> bytes:
    """An uploaded file's bytes, refused (413, naming the field) past ``limit``. Blocking: call it
    from a sync route (FastAPI runs those in its thread pool) or inside ``run_in_threadpool``."""
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"{field}: exceeds the upload limit of {limit} bytes")
    return content
