"""Sessions, CSRF and the login requirement of the web pages.

* The session cookie (``yingji_session``) holds the JWT from :func:`auth_service.create_token`;
  it is http-only, ``SameSite=Lax`` and ``Secure`` unless ``settings.cookie_secure`` is off.
* Forms of a signed-in user carry the session-bound token :func:`auth_service.csrf_token` (the
  same token the JSON API expects in ``X-CSRF-Token``), checked with :func:`auth_service.check_csrf`.
* The login form has no session yet, so it uses a signed double-submit token: a random nonce in
  the ``yingji_login_csrf`` cookie and ``HMAC(secret, nonce)`` in the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Final
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from yingji.auth import service as auth_service
from yingji.auth.models import User
from yingji.config import Settings
from yingji.deps import CSRF_HEADER, SESSION_COOKIE, SessionDep, SettingsDep
from yingji.errors import Forbidden, Unauthorized, YingjiError
from yingji.web.i18n import LANG_COOKIE, LANGUAGES, normalise

LOGIN_CSRF_COOKIE: Final = "yingji_login_csrf"
CSRF_FIELD: Final = "csrf_token"
LOGIN_CSRF_TTL: Final = 2 * 60 * 60


class LoginRequired(Exception):
    """Raised by the web-user dependency; the web route class turns it into a redirect to /login."""

    def __init__(self, next_url: str, *, clear_cookie: bool = False) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.clear_cookie = clear_cookie


class CsrfRefused(Forbidden):
    """A form or request without a valid CSRF token."""


# --- redirects ------------------------------------------------------------------------------


def safe_next(raw: str | None, default: str = "/") -> str:
    """A local path to go to after login or a language switch; anything else becomes ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return default
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in raw):  # browsers drop tabs and newlines: "/\t/evil"
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return default
    if parts.path.startswith(("/login", "/logout")):
        return default
    return raw


def here(request: Request) -> str:
    """The path and query of this request (for ``next=``)."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def login_url(next_url: str) -> str:
    return "/login" if next_url in ("", "/") else f"/login?next={quote(next_url, safe='/')}"


# --- cookies --------------------------------------------------------------------------------


def set_session_cookie(response: Response, *, settings: Settings, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


def clear_session_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )


def set_lang_cookie(response: Response, *, settings: Settings, lang: str) -> None:
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


# --- login-form CSRF (signed double submit) -------------------------------------------------


def _login_signature(settings: Settings, nonce: str) -> str:
    return hmac.new(settings.secret_key.encode(), b"login-csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def new_login_csrf(settings: Settings) -> tuple[str, str]:
    """A (nonce, token) pair; the caller sets the nonce cookie on the response it returns."""
    nonce = secrets.token_urlsafe(32)
    return nonce, _login_signature(settings, nonce)


def set_login_csrf_cookie(response: Response, *, settings: Settings, nonce: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        max_age=LOGIN_CSRF_TTL,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )


def check_login_csrf(request: Request, *, settings: Settings, supplied: str | None) -> bool:
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not nonce or not supplied:
        return False
    return hmac.compare_digest(_login_signature(settings, nonce), supplied)


def clear_login_csrf_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        LOGIN_CSRF_COOKIE, path="/login", httponly=True, samesite="strict", secure=settings.cookie_secure
    )


# --- session CSRF for signed-in forms ------------------------------------------------------


def session_csrf(request: Request, settings: Settings) -> str:
    """The CSRF token of this session (rendered into forms and ``<meta name="csrf-token">``)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return auth_service.csrf_token(settings=settings, session_token=cookie) if cookie else ""


def require_csrf(request: Request, settings: Settings, supplied: str | None) -> None:
    """Refuse an unsafe request whose form field (or ``X-CSRF-Token`` header) does not match."""
    cookie = request.cookies.get(SESSION_COOKIE)
    token = supplied or request.headers.get(CSRF_HEADER)
    if cookie is None or not auth_service.check_csrf(settings=settings, session_token=cookie, supplied=token):
        raise CsrfRefused("missing or wrong CSRF token")


# --- the signed-in user ---------------------------------------------------------------------


def current_web_user(request: Request, session: SessionDep, settings: SettingsDep) -> User:
    """The user of the session cookie, or a redirect to the login page."""
    request.state.web_session = session
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(here(request))
    try:
        user = auth_service.user_from_token(session=session, settings=settings, token=token)
    except Unauthorized:
        raise LoginRequired(here(request), clear_cookie=True) from None
    request.state.user = user
    return user


WebUser = Annotated[User, Depends(current_web_user)]


def request_language(request: Request, settings: Settings, user: User | None = None) -> str:
    """The language cookie, else the user's language, else the configured default."""
    for candidate in (
        request.cookies.get(LANG_COOKIE),
        user.language if user else None,
        settings.default_language,
    ):
        lang = normalise(candidate)
        if lang in LANGUAGES:
            return lang
    return "zh-CN"


# --- security headers and the route class -----------------------------------------------------


def _tile_origin(tile_url: str) -> str:
    """The CSP source for the configured tile server (``{s}`` subdomains become ``*.``)."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https"):
        return ""  # empty or a same-origin path: covered by 'self'
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or ("*" in host and not host.startswith("*.")):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def security_headers(settings: Settings) -> dict[str, str]:
    img = " ".join(filter(None, ["'self'", "data:", _tile_origin(settings.tile_url)]))
    csp = (
        f"default-src 'self'; img-src {img}; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


ErrorRenderer = Callable[[Request, YingjiError], Response]
_error_renderer: list[ErrorRenderer] = []


def set_error_renderer(renderer: ErrorRenderer) -> None:
    _error_renderer[:] = [renderer]


class WebRoute(APIRoute):
    """Routes of the web UI: login redirects, HTML error pages, security headers.

    Domain errors raised while handling a page roll the request's transaction back (the session
    dependency would otherwise commit, since the error does not reach it) and render an HTML page.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            settings: Settings = request.app.state.settings
            try:
                response = await handler(request)
            except LoginRequired as exc:
                response = RedirectResponse(login_url(exc.next_url), status_code=303)
                if exc.clear_cookie:
                    clear_session_cookie(response, settings=settings)
            except YingjiError as exc:
                session = getattr(request.state, "web_session", None)
                if session is not None:
                    await run_in_threadpool(session.rollback)
                if not _error_renderer:  # pragma: no cover - set when views are imported
                    raise
                response = _error_renderer[0](request, exc)
            for name, value in security_headers(settings).items():
                response.headers.setdefault(name, value)
            return response

        return web_handler
