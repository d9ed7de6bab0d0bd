"""Token endpoint (OAuth2 password flow), the current user, and user administration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from yingji.auth import service
from yingji.auth.schemas import Token, UserCreate, UserRead
from yingji.deps import AdminUser, CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=Token,
             summary="OAuth2 password flow: exchange credentials for a bearer token")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep
) -> Any:
    user = service.authenticate(session=session, settings=settings, username=form.username, password=form.password)
    access, ttl = service.create_token(settings=settings, user=user)
    return Token(access_token=access, expires_in=ttl)


@router.get("/auth/me", response_model=UserRead)
def me(user: CurrentUser) -> Any:
    return user


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, _admin: AdminUser) -> Any:
    return service.list_users(session=session)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(session: SessionDep, admin: AdminUser, user_in: UserCreate) -> Any:
    return service.create_user(session=session, user_in=user_in, actor=admin)
