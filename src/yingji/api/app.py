"""Application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

import yingji
from yingji.config import Settings, get_settings
from yingji.db.session import make_engine, make_sessionmaker
from yingji.errors import InvalidField, Unauthorized, YingjiError

log = logging.getLogger("yingji.api")
STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"


class BodyLimit(BaseHTTPMiddleware):
    """Refuse request bodies larger than the configured limit before reading them."""

    def __init__(self, app: Any, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.limit + 64 * 1024
            except ValueError:
                return JSONResponse({"detail": "Content-Length: not a number"}, status_code=400)
            if too_big:
                return JSONResponse(
                    {"detail": f"body: request exceeds the upload limit of {self.limit} bytes"}, status_code=413
                )
        return await call_next(request)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidField)
    async def _invalid(_request: Request, exc: InvalidField) -> JSONResponse:
        detail = [{"loc": ["body", *loc], "msg": msg, "type": "value_error"} for loc, msg in exc.errors]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(Unauthorized)
    async def _unauth(request: Request, exc: Unauthorized) -> Response:
        if _wants_html(request):
            from urllib.parse import quote

            from fastapi.responses import RedirectResponse

            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
        return JSONResponse({"detail": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(YingjiError)
    async def _domain(_request: Request, exc: YingjiError) -> JSONResponse:
        return JSONResponse({"detail": exc.message, **exc.extra()}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            item = {"loc": list(err.get("loc", [])), "msg": err.get("msg", ""), "type": err.get("type", "")}
            errors.append(item)
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    # A value the database cannot hold (an integer past 64 bits on SQLite; past the column's range,
    # or a string past its length, on PostgreSQL) is bad input, not a server fault. Domains should
    # bound such fields so that the answer names them (registry does); this keeps the rest from a 500.
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        log.info("value out of range: %s", exc)
        return JSONResponse({"detail": "a value in the request is too large or too long to be stored"},
                            status_code=422)


def domain_routers() -> list[APIRouter]:
    """Every domain's API routers: ``yingji.<domain>.views.router`` (or ``routers``), the web UI last."""
    import importlib

    from yingji.db.models import domain_modules

    out: list[APIRouter] = []
    for name in domain_modules("views"):
        if name == "yingji.web.views":
            continue
        module = importlib.import_module(name)
        out.extend(getattr(module, "routers", None) or [module.router])
    return out


def web_area_routers() -> list[APIRouter]:
    """Routers of the web UI's areas: ``yingji.web.pages_<area>.router``, in name order."""
    import importlib
    import pkgutil

    import yingji.web

    names = sorted(m.name for m in pkgutil.iter_modules(yingji.web.__path__) if m.name.startswith("pages_"))
    return [importlib.import_module(f"yingji.web.{n}").router for n in names]


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def create_app(settings: Settings | None = None, sessionmaker_: sessionmaker[Session] | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Yingji 应急",
        version=yingji.__version__,
        description="City emergency support platform: registries, one map, command and supervision.",
        openapi_url="/openapi.json",
        docs_url="/docs",
    )
    app.state.settings = settings
    if sessionmaker_ is None:
        engine = make_engine(settings.sqlalchemy_url)
        sessionmaker_ = make_sessionmaker(engine)
    app.state.sessionmaker = sessionmaker_
    from yingji.events import configure as configure_events

    configure_events(settings.events_url)  # in-process when empty; an unsupported URL fails start-up
    from yingji.notifications.service import configure as configure_notifications

    configure_notifications(sessionmaker_)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    _error_handlers(app)

    @app.get("/healthz", tags=["meta"], summary="Liveness and database check (no authentication)")
    def healthz() -> dict[str, str]:
        with app.state.sessionmaker() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": yingji.__version__}

    for router in domain_routers():
        app.include_router(router)

    from yingji.web.views import router as web_router

    for router in web_area_routers():
        app.include_router(router)
    app.include_router(web_router)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
