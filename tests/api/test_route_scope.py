"""Every API route, enumerated from ``app.routes``: a county user can neither read nor change another
county's records through any of them.

Each route is classified once below. The classification test fails when a route is added without
being classified here, so a new route cannot escape the division-scope check by accident. That
holds for every route under /api/ and for every route a domain router serves outside it (the CAP
Atom feed, /cap/feed.xml). For each route the check substitutes the key of a record owned by the
*other* county for the path parameter and asserts: no 2xx on the other county's data, lists, map
layers and exports hold only the user's own county, imports cannot create or change anything
there, and no response so much as names the other county's records.

Routes of a domain whose own route-scope test sweeps them on its own fixtures (the supplies) are
classified here as ``swept``, read from that test's own table (one classification per route).
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook
from sqlalchemy.orm import sessionmaker

from api.fixtures import settings_with_network
from api.helpers import point, read_csv, read_xlsx, registry_workbook, upload
from registry.test_registry_contracts import CONTRACTS
from yingji.api.app import create_app, domain_routers
from yingji.auth.permissions import MATRIX, division_prefix
from yingji.config import Settings
from yingji.db.base import utcnow
from yingji.registry.specs import REGISTRIES
from yingji.supervision.service import PACKAGED_PLAN

TESTS = Path(__file__).resolve().parent.parent

#: The generic router of every registry: (method, path after /api/v1/<registry>) -> kind.
REGISTRY_ROUTES = {
    ("GET", ""): "list",
    ("GET", "/export"): "export",
    ("GET", "/template"): "template",
    ("POST", "/import"): "import",
    ("POST", ""): "create",
    ("GET", "/{key}"): "read",
    ("PATCH", "/{key}"): "update",
    ("DELETE", "/{key}"): "delete",
}
#: Routes that are not registry-scoped.
OTHER_ROUTES = {
    ("POST", "/api/v1/auth/token"): "login",
    ("GET", "/api/v1/auth/me"): "self",
    ("GET", "/api/v1/users"): "admin_only",
    ("POST", "/api/v1/users"): "admin_only",
    ("GET", "/api/v1/audit"): "admin_only",
    # routing: road closures are division-scoped records; the computations answer from scoped data
    ("GET", "/api/v1/routing/closures"): "closure_list",
    ("GET", "/api/v1/routing/closures/report"): "closure_report",
    ("POST", "/api/v1/routing/closures"): "closure_create",
    ("GET", "/api/v1/routing/closures/{closure_id}"): "closure_read",
    ("PATCH", "/api/v1/routing/closures/{closure_id}"): "closure_update",
    ("DELETE", "/api/v1/routing/closures/{closure_id}"): "closure_delete",
    ("POST", "/api/v1/routing/route"): "compute",
    ("POST", "/api/v1/routing/matrix"): "compute",
    ("GET", "/api/v1/routing/nearest"): "compute",
    ("GET", "/api/v1/routing/isochrones"): "compute",
    ("GET", "/api/v1/routing/coverage/{kind}"): "compute",
    ("GET", "/api/v1/routing/siting"): "compute",
}


@dataclass(frozen=True)
class ScopedResource:
    """A division-scoped resource of a domain outside the registries, declared by its data only.

    Its routes are classified below as ``scoped_list``, ``scoped_create``, ``scoped_read``,
    ``scoped_update``, ``scoped_delete`` (the item route) or ``scoped_sub`` (a route under an item,
    e.g. a hazard source's assessments or an incident's tasks), and checked generically: the other
    county's record is 404 through every item route, absent from the list, and cannot be created.
    One record is made in each county before the routes are called: ``make`` when given, else a
    POST of ``body`` to ``base`` as the administrator.
    """

    base: str  # the collection path
    param: str  # the path parameter naming one record ("" when the resource has no item route)
    body: Callable[[str, str], dict[str, Any]] | None  # (division, name) -> a valid create body
    update: dict[str, Any] = field(default_factory=dict)
    sub_body: dict[str, Any] = field(default_factory=dict)  # a valid body for POST on a sub-route
    #: (scene, division, name) -> id, for a record that is not made by POSTing ``body`` to ``base``
    make: Callable[[Any, str, str], int] | None = None
    #: what the administrator compares before and after the routes are called ({id}: the other
    #: county's record, {division}: the other county)
    watch: tuple[str, ...] = ("{base}/{id}",)
    #: lists also hold the records of the divisions above the user's (the city's plans)
    above: bool = False


BUREAUS = {"371581": "linqing_bureau", "371502": "dcf_bureau"}  # the world's unit in each county


def _hazard_source(division: str, name: str) -> dict[str, Any]:
    return {"name": name, "kind": "hazmat_enterprise", "division_code": division, **point(division, 5)}


def _incident(division: str, name: str) -> dict[str, Any]:
    return {"title": name, "category": "accident", "type": "fire", "division_code": division,
            "occurred_at": (utcnow() - timedelta(minutes=30)).isoformat(), **point(division, 7)}


def _plan(division: str, name: str) -> dict[str, Any]:
    return {"name": name, "kind": "special", "division_code": division,
            "levels": [{"response_level": 4, "incident_levels": ["IV"], "criteria": "一般", "actions": []}]}


def _shift(division: str, name: str) -> dict[str, Any]:
    now = utcnow()
    return {"division_code": division, "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(hours=1)).isoformat(), "officer_name": name, "leader_name": name}


def _duty_log(division: str, name: str) -> dict[str, Any]:
    return {"division_code": division, "kind": "note", "content": name}


def _loss(division: str, name: str) -> dict[str, Any]:
    return {"kind": "work_safety", "division_code": division, "period_start": "2021-01-01",
            "period_end": "2021-12-31", "deaths": 1, "notes": name}


def _gdp(division: str, name: str) -> dict[str, Any]:
    return {"division_code": division, "year": 2021, "gdp_100m_yuan": 100.0, "source": name}


def _sensor(division: str, name: str) -> dict[str, Any]:
    return {"code": f"SCOPE-{division}", "name": name, "kind": "wind", "division_code": division,
            **point(division, 6)}


def _warning(division: str, name: str) -> dict[str, Any]:
    return {"cause": "scope", "level": 3, "headline": name, "division_code": division}


def _created(r: Response) -> int:
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _new_incident(scene: Any, division: str, name: str) -> int:
    return _created(scene.clients["admin"].post("/api/v1/incidents", json=_incident(division, f"{name}事件")))


def _make_task(scene: Any, division: str, name: str) -> int:
    incident = _new_incident(scene, division, name)
    unit = scene.clients.world.units[BUREAUS[division]]
    return _created(scene.clients["admin"].post(f"/api/v1/incidents/{incident}/tasks", json={
        "title": name, "assignee_type": "unit", "unit_id": unit, "deadline_minutes": 30}))


def _make_dispatch(scene: Any, division: str, name: str) -> int:
    incident = _new_incident(scene, division, name)
    team = CONTRACTS["teams"]().create(scene.clients, division=division, n=4, name=f"{name}队伍")
    return _created(scene.clients["admin"].post(f"/api/v1/incidents/{incident}/dispatches",
                                                json={"resource_type": "team", "resource_id": team["id"]}))


def _make_consultation(scene: Any, division: str, name: str) -> int:
    incident = _new_incident(scene, division, name)
    if division == scene.other:  # consultations have no item route of their own: watch the incident's list
        scene.watch.append(f"/api/v1/incidents/{incident}/consultations")
    return _created(scene.clients["admin"].post(f"/api/v1/incidents/{incident}/consultations", json={
        "title": name, "held_at": utcnow().isoformat(), "participants": [{"kind": "person", "name": "参会人"}]}))


SCOPED: dict[str, ScopedResource] = {
    # risk
    "hazard_sources": ScopedResource(
        "/api/v1/hazard_sources", "hazard_id", _hazard_source, {"notes": "改"},
        sub_body={"assessed_on": "2026-01-01", "likelihood": 2, "consequence": 3, "assessor": "x"},
        watch=("{base}/{id}", "{base}/{id}/assessments")),
    # incidents (command and dispatch)
    "incidents": ScopedResource("/api/v1/incidents", "incident_id", _incident, {"description": "改"},
                                watch=("{base}/{id}", "{base}/{id}/timeline", "{base}/{id}/tasks")),
    "tasks": ScopedResource("/api/v1/tasks", "task_id", None, make=_make_task),
    "dispatches": ScopedResource("/api/v1/dispatches", "dispatch_id", None, make=_make_dispatch),
    "consultations": ScopedResource("/api/v1/consultations", "consultation_id", None, {"conclusions": "改"},
                                    make=_make_consultation, watch=()),
    "plans": ScopedResource("/api/v1/plans", "plan_id", _plan, {"description": "改"}, above=True),
    "duty_shifts": ScopedResource("/api/v1/duty/shifts", "shift_id", _shift, {"phone": "0635-1"},
                                  sub_body={"notes": "交班"}),
    "duty_log": ScopedResource("/api/v1/duty/log", "", _duty_log,
                               watch=("{base}?division={division}&size=500",)),
    # supervision: the statistics are the division-bound part of the domain
    "loss_statistics": ScopedResource("/api/v1/supervision/statistics/losses", "stat_id", _loss, {"deaths": 2}),
    "gdp_figures": ScopedResource("/api/v1/supervision/statistics/gdp", "gdp_id", _gdp, {"gdp_100m_yuan": 120.0}),
    # monitoring and warnings
    "sensors": ScopedResource("/api/v1/sensors", "sensor_id", _sensor, {"notes": "改"},
                              watch=("{base}/{id}", "{base}/{id}/readings", "{base}/{id}/rules")),
    "warnings": ScopedResource("/api/v1/warnings", "warning_id", _warning, {"headline": "改"},
                               sub_body={"reason": "越界"}, watch=("{base}/{id}", "{base}/{id}/events")),
}


def _scoped(resource: str, base: str, *, create: bool = True, item: tuple[str, ...] = ("GET", "PATCH", "DELETE"),
            subs: tuple[tuple[str, str], ...] = (), lists: tuple[str, ...] = ("",)) -> dict[tuple[str, str], Any]:
    """The routes of a scoped resource: its lists, create, item routes and sub-routes."""
    param = SCOPED[resource].param
    kinds = {"GET": "scoped_read", "PATCH": "scoped_update", "DELETE": "scoped_delete"}
    out: dict[tuple[str, str], tuple[str, str | None]] = {("GET", f"{base}{x}"): ("scoped_list", resource)
                                                          for x in lists}
    if create:
        out[("POST", base)] = ("scoped_create", resource)
    out |= {(m, f"{base}/{{{param}}}"): (kinds[m], resource) for m in item}
    out |= {(m, f"{base}/{{{param}}}/{sub}"): ("scoped_sub", resource) for m, sub in subs}
    return out


SV = "/api/v1/supervision"
#: The supervision routes outside the statistics: the plan, its tasks, progress reports, indicators,
#: the dashboard and the monthly report are city-wide (every role with ``read`` reads them); what
#: is division-bound in their answers (per-division rows) is limited to the user's scope.
SUPERVISION_CITYWIDE = {
    ("GET", f"{SV}/plans"), ("POST", f"{SV}/plans"), ("GET", f"{SV}/plan"), ("GET", f"{SV}/projects"),
    ("GET", f"{SV}/tasks"), ("GET", f"{SV}/tasks/{{task_id}}"), ("POST", f"{SV}/tasks/{{task_id}}/progress"),
    ("GET", f"{SV}/progress"), ("GET", f"{SV}/progress/{{report_id}}"), ("PATCH", f"{SV}/progress/{{report_id}}"),
    ("POST", f"{SV}/progress/{{report_id}}/confirm"), ("POST", f"{SV}/progress/{{report_id}}/return"),
    ("POST", f"{SV}/progress/{{report_id}}/evidence"),
    ("GET", f"{SV}/progress/{{report_id}}/evidence/{{evidence_id}}"),
    ("GET", f"{SV}/indicators"), ("POST", f"{SV}/indicators/snapshot"), ("GET", f"{SV}/indicators/{{key}}"),
    ("GET", f"{SV}/indicators/{{key}}/history"), ("POST", f"{SV}/indicators/{{key}}/values"),
    ("GET", f"{SV}/statistics/rates"), ("GET", f"{SV}/dashboard"), ("GET", f"{SV}/reminders"),
    ("GET", f"{SV}/monthly-report"),
}

#: Domains whose own route-scope test sweeps their routes on its own fixtures (a road network, stock,
#: channels this test does not build): resource -> (that test module, the name of its classification
#: table). Their routes are classified here by reading that table, so a route is classified once: a
#: new supplies route missing from the supplies test's table is unclassified here too.
SWEPT: dict[str, tuple[Path, str]] = {
    "supplies": (TESTS / "supplies" / "test_supplies_route_scope.py", "ROUTES"),
    "notifications": (TESTS / "notifications" / "test_notifications_route_scope.py", "ROUTES"),
}


@cache
def swept_table(resource: str) -> dict[tuple[str, str], str]:
    """The classification table of the test that sweeps ``resource``'s routes (read from its module)."""
    path, name = SWEPT[resource]
    spec = importlib.util.spec_from_file_location(f"_swept_{resource}_route_scope", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))  # its helpers sit beside it, as pytest imports them
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return dict(getattr(module, name))


INC = "/api/v1/incidents"
#: Routes of domain resources: (method, path) -> (kind, resource). Besides the ``scoped_*`` kinds
#: (see ScopedResource): ``scoped_ingest`` (readings, by sensor code), ``scoped_feed`` (the Atom
#: feed), ``refused`` (a permission the county role lacks, REFUSED), ``citywide`` (city-wide data,
#: check_citywide), ``reference`` (no division), ``stream`` (SSE) and ``swept`` (SWEPT).
DOMAIN_ROUTES: dict[tuple[str, str], tuple[str, str | None]] = {
    # ---- risk
    **_scoped("hazard_sources", "/api/v1/hazard_sources", subs=(("GET", "assessments"), ("POST", "assessments"))),
    # reference data that belongs to no division (the same for every user)
    ("GET", "/api/v1/chemicals"): ("reference", None),
    ("GET", "/api/v1/chemicals/{key}"): ("reference", None),
    # ---- incidents: incidents and everything under one, tasks, dispatches, consultations, plans, duty
    **_scoped("incidents", INC, item=("GET", "PATCH"), subs=(
        *(("GET", sub) for sub in ("activations", "consultations", "dispatches", "plans", "recommendations",
                                   "reports", "reports/schedule", "sitrep.docx", "sitrep.md", "tasks", "timeline")),
        *(("POST", sub) for sub in ("activations", "consultations", "dispatches", "level", "notes", "reports",
                                    "tasks", "transitions")))),
    ("GET", f"{INC}/reference"): ("reference", None),
    ("GET", f"{INC}/grade"): ("reference", None),
    **_scoped("tasks", "/api/v1/tasks", create=False, item=("GET",),
              subs=tuple(("POST", sub) for sub in ("accept", "reject", "progress", "done", "cancel"))),
    **_scoped("dispatches", "/api/v1/dispatches", create=False, item=("GET",), subs=(("POST", "status"),)),
    **_scoped("consultations", "/api/v1/consultations", create=False, item=("PATCH",), lists=()),
    **_scoped("plans", "/api/v1/plans", item=("GET", "PATCH")),
    **_scoped("duty_shifts", "/api/v1/duty/shifts", item=("GET", "PATCH"), subs=(("POST", "handover"),)),
    ("GET", "/api/v1/duty/now"): ("scoped_list", "duty_shifts"),  # the shifts on duty now
    **_scoped("duty_log", "/api/v1/duty/log", item=()),
    # an endless server-sent-events stream: not called here (see check_stream)
    ("GET", "/api/v1/events"): ("stream", None),
    # ---- supervision: scoped statistics; the rest is city-wide
    **_scoped("loss_statistics", f"{SV}/statistics/losses"),
    **_scoped("gdp_figures", f"{SV}/statistics/gdp"),
    **{route: ("citywide", None) for route in SUPERVISION_CITYWIDE},
    # ---- monitoring
    **_scoped("sensors", "/api/v1/sensors", subs=(("GET", "readings"), ("GET", "rules"))),
    ("POST", "/api/v1/readings"): ("scoped_ingest", "sensors"),
    ("GET", "/api/v1/sensor_kinds"): ("reference", None),
    # ---- warnings
    **_scoped("warnings", "/api/v1/warnings", item=("GET", "PATCH"), subs=(
        ("GET", "events"), ("GET", "cap"), ("POST", "acknowledge"), ("POST", "lift"), ("POST", "escalate"))),
    # CAP upload and feed polling need warnings:import (commander, duty officer, administrator): the
    # county user is refused before the body is read
    ("POST", "/api/v1/warnings/import"): ("refused", "warnings"),
    ("POST", "/api/v1/warnings/import/feed"): ("refused", "warnings"),
    # the Atom feed of active warnings (outside /api/): login required, the reader's scope only; a
    # deployment may make it public (setting cap_feed_public): see check_scoped_feed
    ("GET", "/cap/feed.xml"): ("scoped_feed", "warnings"),
    # ---- supplies: swept by tests/supplies/test_supplies_route_scope.py
    **{route: ("swept", resource) for resource in SWEPT for route in swept_table(resource)},
}
#: Routes that never end a response; generic sweeps must not call them.
STREAMS = {key for key, (kind, _) in DOMAIN_ROUTES.items() if kind == "stream"}


def fill(path: str, **values: Any) -> str:
    """Substitute path parameters; a parameter without a value is an error (an unclassified shape)."""
    def sub(m: re.Match[str]) -> str:
        assert m.group(1) in values, f"{path}: no value for path parameter {m.group(1)!r}"
        return str(values[m.group(1)])

    return re.sub(r"\{(\w+)(?::\w+)?\}", sub, path)


def classified() -> dict[tuple[str, str], tuple[str, str | None]]:
    """(method, path) -> (kind, registry or None) for every route this test knows how to check."""
    out: dict[tuple[str, str], tuple[str, str | None]] = {
        key: (kind, None) for key, kind in OTHER_ROUTES.items()
    }
    out.update(DOMAIN_ROUTES)
    for name in REGISTRIES:
        for (method, suffix), kind in REGISTRY_ROUTES.items():
            out[(method, f"/api/v1/{name}{suffix}")] = (kind, name)
    return out


def _flat(routes: list[Any]) -> list[Any]:
    try:  # FastAPI >= 0.16x includes routers lazily; this flattens them
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI keeps app.routes flat
        return list(routes)
    return list(iter_route_contexts(routes))


def _method_paths(contexts: list[Any], keep: Callable[[str], bool]) -> set[tuple[str, str]]:
    routes = set()
    for ctx in contexts:
        original = getattr(ctx, "original_route", ctx)
        path, methods = getattr(ctx, "path", None), getattr(ctx, "methods", None)
        if path and keep(path) and methods:
            assert isinstance(original, APIRoute), f"{path}: not an APIRoute ({type(original).__name__})"
            routes |= {(m, path) for m in methods - {"HEAD", "OPTIONS"}}
    return routes


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/, including those of included routers."""
    return _method_paths(_flat(app.routes), lambda path: path.startswith("/api/"))


def data_routes(app: Any) -> set[tuple[str, str]]:
    """Every route under /api/ and every route a domain router serves outside it (e.g. /cap/feed.xml).

    The web UI's pages are not domain routers (``domain_routers`` leaves them out); their data comes
    from the same services and is checked by the web tests."""
    outside = {route for router in domain_routers()
               for route in _method_paths(_flat(router.routes), lambda path: not path.startswith("/api/"))}
    served = {(m, ctx.path) for ctx in _flat(app.routes) for m in getattr(ctx, "methods", None) or ()}
    assert outside <= served, sorted(outside - served)
    return api_routes(app) | outside


def test_every_api_route_is_classified(tmp_path: Any) -> None:
    app = create_app(Settings(env="test", data_dir=tmp_path, secret_key="s" * 40), sessionmaker())
    routes = data_routes(app)
    # the enumeration must see at least what the OpenAPI document publishes
    published = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() if p.startswith("/api/")
                 for m in ops}
    assert published <= routes, sorted(published - routes)
    assert ("GET", "/cap/feed.xml") in routes  # a domain route outside /api/ is enumerated too
    unclassified = sorted(routes - set(classified()))
    assert not unclassified, (
        "new API routes must be classified in tests/api/test_route_scope.py (DOMAIN_ROUTES, and a "
        "ScopedResource in SCOPED for a division-scoped resource) so that the division-scope check "
        f"covers them: {unclassified}"
    )
    assert set(classified()) == routes, sorted(set(classified()) - routes)


# ---- the check ---------------------------------------------------------------------------------

NAMES = {"371581": "临清", "371502": "东昌府"}
MARKER = "机密"  # in the name of every record created for the other county


@dataclass
class Scene:
    clients: Any
    user: str
    own: str
    other: str
    theirs: dict[str, dict[str, Any]] = field(default_factory=dict)  # registry -> the other county's record
    mine: dict[str, dict[str, Any]] = field(default_factory=dict)
    closures: dict[str, int] = field(default_factory=dict)  # "theirs" / "mine" -> road closure id
    scoped: dict[str, dict[str, Any]] = field(default_factory=dict)  # resource -> {"theirs": id, "mine": id}
    citywide: dict[str, Any] = field(default_factory=dict)  # path parameters of the city-wide supervision routes
    watch: list[str] = field(default_factory=list)  # more URLs the administrator compares before and after
    responses: list[tuple[Response, bytes]] = field(default_factory=list)

    @property
    def client(self) -> TestClient:
        c: TestClient = self.clients[self.user]
        return c

    @property
    def forbidden(self) -> tuple[str, ...]:
        return (NAMES[self.other], MARKER)

    def call(self, method: str, url: str, **kwargs: Any) -> Response:
        r = self.client.request(method, url, **kwargs)
        assert r.status_code < 500, f"{method} {url}: {r.status_code} {r.text}"
        sent = r.request.content if r.request.method != "GET" else str(r.request.url).encode()
        self.responses.append((r, sent))
        return r

    def admin_view(self) -> dict[str, Any]:
        """What the administrator sees of the other county: its records and per-registry counts."""
        admin = self.clients["admin"]
        out: dict[str, Any] = {}
        for name, record in self.theirs.items():
            contract = CONTRACTS[name]()
            out[name] = admin.get(contract.url(contract.key(record))).json()
            out[f"{name} total"] = admin.get(contract.base, params={"division": self.other}).json()["total"]
        for name, ids in self.scoped.items():
            spec = SCOPED[name]
            for template in spec.watch:
                url = template.format(base=spec.base, id=ids["theirs"], division=self.other)
                r = admin.get(url)
                assert r.status_code == 200, (url, r.text)
                out[url] = r.json()
        for url in self.watch:
            r = admin.get(url)
            assert r.status_code == 200, (url, r.text)
            out[url] = r.json() if r.headers.get("content-type", "").startswith("application/json") else r.content
        if self.closures:
            out["closure"] = admin.get(f"/api/v1/routing/closures/{self.closures['theirs']}").json()
            out["closures"] = sorted(c["id"] for c in admin.get("/api/v1/routing/closures").json()["items"]
                                     if c["division_code"].startswith(self.other))
        return out


XLSX_PREFIX = "application/vnd.openxmlformats-officedocument.spreadsheetml"
DOCX_PREFIX = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _text(r: Response) -> str:
    """The text of a response; of a workbook every sheet's cells, of a Word document its paragraphs and tables."""
    ctype = r.headers.get("content-type", "")
    if ctype.startswith(XLSX_PREFIX):
        wb = load_workbook(io.BytesIO(r.content), read_only=True, data_only=True)
        return repr([[ws.title, *ws.iter_rows(values_only=True)] for ws in wb.worksheets])
    if ctype.startswith(DOCX_PREFIX):
        from docx import Document

        doc = Document(io.BytesIO(r.content))
        cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    return r.content.decode("utf-8", errors="replace")


def _in_scope_or_above(own: str, code: str) -> bool:
    """A division code the user may be shown: in the user's division, or a division above it."""
    return code.startswith(own) or own.startswith(division_prefix(code))


def _divisions(value: Any) -> Iterator[str]:
    """Every division code named by a ``division_code`` / ``division`` key anywhere in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("division_code", "division") and isinstance(v, str) and v.isdigit():
                yield v
            else:
                yield from _divisions(v)
    elif isinstance(value, list):
        for v in value:
            yield from _divisions(v)


def _division_column(registry: str) -> int:
    return [c.field for c in REGISTRIES[registry].columns].index(REGISTRIES[registry].division_attr)


def check_list(s: Scene, _method: str, path: str, registry: str) -> None:
    contract = CONTRACTS[registry]()
    theirs = contract.key(s.theirs[registry])
    for params in ({"size": 500}, {"size": 500, "division": s.other}, {"q": MARKER},
                   {"size": 500, "division": s.other[:4]}):
        r = s.call("GET", path, params=params)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert all(contract.division_of(x).startswith(s.own) for x in items), (params, items)
        assert theirs not in {contract.key(x) for x in items}
    mine = s.call("GET", path, params={"size": 500}).json()["items"]
    assert contract.key(s.mine[registry]) in {contract.key(x) for x in mine}
    if REGISTRIES[registry].located:
        for params in ({"format": "geojson"}, {"format": "geojson", "division": s.other}):
            r = s.call("GET", path, params=params)
            assert r.status_code == 200, r.text
            features = r.json()["features"]
            assert theirs not in {f["id"] for f in features}
            attr = REGISTRIES[registry].division_attr
            assert all(str(f["properties"][attr]).startswith(s.own) for f in features)


def check_export(s: Scene, _method: str, path: str, registry: str) -> None:
    column = _division_column(registry)
    for fmt in ("xlsx", "csv"):
        r = s.call("GET", path, params={"format": fmt})
        assert r.status_code == 200, r.text
        rows = read_xlsx(r.content) if fmt == "xlsx" else read_csv(r.content)
        assert len(rows) > 1, "the user's own records should be exported"
        assert all(str(row[column]).startswith(s.own) for row in rows[1:]), rows


def check_template(s: Scene, _method: str, path: str, registry: str) -> None:
    r = s.call("GET", path)
    assert r.status_code == 200
    assert len(read_xlsx(r.content)) == 1  # headers only


def check_import(s: Scene, _method: str, path: str, registry: str) -> None:
    contract = CONTRACTS[registry]()
    into_other = contract.new_body(division=s.other, n=7)
    r = s.call("POST", path, files={"file": ("x.xlsx", registry_workbook(registry, [into_other]))})
    assert r.status_code in (403, 422), r.text
    # a row with the natural key of the other county's record (kept in the user's own county)
    theirs = {k: v for k, v in s.theirs[registry].items() if v is not None}
    lookalike = {**contract.new_body(division=s.own, n=8),
                 **{k: theirs[k] for k in REGISTRIES[registry].natural_key if k in theirs}}
    if REGISTRIES[registry].division_attr in lookalike and registry != "divisions":
        lookalike[REGISTRIES[registry].division_attr] = s.own
    for dry_run in (True, False):
        s.responses.append((upload(s.client, registry, registry_workbook(registry, [lookalike]),
                                   dry_run=dry_run), b"lookalike" + MARKER.encode()))
        r = s.responses[-1][0]
        if registry == "divisions":  # county users may not import divisions at all
            assert r.status_code == 403, r.text
        elif registry == "units":  # unit names are unique across the city: the row must fail, not update
            assert r.status_code == 422 and "units conflicts" in r.text, r.text
        else:  # matching by natural key sees only the user's records: the row is new
            assert r.status_code == 200, r.text
            assert (r.json()["created"], r.json()["updated"]) == (1, 0), r.text


def check_create(s: Scene, _method: str, path: str, registry: str) -> None:
    r = s.call("POST", path, json=CONTRACTS[registry]().new_body(division=s.other, n=9))
    assert r.status_code == 403, r.text


def check_read(s: Scene, _method: str, path: str, registry: str) -> None:
    contract = CONTRACTS[registry]()
    r = s.call("GET", fill(path, key=contract.key(s.theirs[registry])))
    assert r.status_code == 404, r.text


def check_update(s: Scene, _method: str, path: str, registry: str) -> None:
    contract = CONTRACTS[registry]()
    r = s.call("PATCH", fill(path, key=contract.key(s.theirs[registry])), json=contract.update)
    assert r.status_code == 404, r.text
    attr = REGISTRIES[registry].division_attr
    if attr in REGISTRIES[registry].update.model_fields:  # nor can the user move a record over there
        r = s.call("PATCH", fill(path, key=contract.key(s.mine[registry])), json={attr: s.other})
        assert r.status_code == 403, r.text


def check_delete(s: Scene, _method: str, path: str, registry: str) -> None:
    contract = CONTRACTS[registry]()
    r = s.call("DELETE", fill(path, key=contract.key(s.theirs[registry])))
    assert r.status_code == 404, r.text


def check_login(s: Scene, _method: str, path: str, _registry: None) -> None:
    r = s.call("POST", path, data={"username": s.user, "password": "correct-horse-1"})
    assert r.status_code == 200, r.text


def check_self(s: Scene, _method: str, path: str, _registry: None) -> None:
    r = s.call("GET", path)
    assert r.status_code == 200 and r.json()["username"] == s.user
    assert r.json()["division_code"] == s.own


def check_admin_only(s: Scene, method: str, path: str, _registry: None) -> None:
    kwargs: dict[str, Any] = {}
    if method == "POST":
        kwargs["json"] = {"username": "sneaky", "password": "a-long-password", "role": "admin"}
    r = s.call(method, path, **kwargs)
    assert r.status_code == 403, r.text


def check_closure_list(s: Scene, _method: str, path: str, _registry: None) -> None:
    for params in ({}, {"active": "true"}):
        r = s.call("GET", path, params=params)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert {c["id"] for c in items} >= {s.closures["mine"]}
        assert all(c["division_code"].startswith(s.own) for c in items), items
    r = s.call("GET", path, params={"format": "geojson"})
    assert r.status_code == 200 and s.closures["theirs"] not in {f["id"] for f in r.json()["features"]}


def check_closure_report(s: Scene, _method: str, path: str, _registry: None) -> None:
    now = utcnow()
    r = s.call("GET", path, params={"since": (now - timedelta(days=1)).isoformat(),
                                    "until": (now + timedelta(days=1)).isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["opened"] == 1, r.text  # the user's own closure only


def check_closure_create(s: Scene, _method: str, path: str, _registry: None) -> None:
    r = s.call("POST", path, json={"reason": "越界封路", "division_code": s.other, "edges": [0]})
    assert r.status_code == 403, r.text


def check_closure_read(s: Scene, method: str, path: str, _registry: None) -> None:
    r = s.call(method, fill(path, closure_id=s.closures["theirs"]))
    assert r.status_code == 404, r.text


def check_closure_update(s: Scene, method: str, path: str, _registry: None) -> None:
    r = s.call(method, fill(path, closure_id=s.closures["theirs"]), json={"reason": "改", "cleared_at": None})
    assert r.status_code == 404, r.text


def check_compute(s: Scene, method: str, path: str, _registry: None) -> None:
    """Computations over the (demo) network answer from the user's scope only: nothing they return
    names the other county (checked on every response at the end), and nearest resources are the
    user's own."""
    a, b = point(s.own, 0), point(s.own, 10)
    requests: list[tuple[str, dict[str, Any]]] = []
    if path.endswith("/route"):
        requests = [(path, {"json": {"origin": a, "destination": b}})]
    elif path.endswith("/matrix"):
        requests = [(path, {"json": {"origins": [a, b], "destinations": [b, a]}})]
    elif path.endswith("/nearest"):
        for res in ("teams", "facilities", "vehicles"):
            r = s.call(method, path, params={**a, "resource": res, "k": 100})
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            assert items, f"nearest {res}: the user's own record should be found"
            assert CONTRACTS[res]().key(s.theirs[res]) not in {x["id"] for x in items}, r.text
            assert all(x["record"]["division_code"].startswith(s.own) for x in items), r.text
        return
    elif path.endswith("/isochrones"):
        requests = [(path, {"params": {**a, "thresholds": "300,900"}})]
    elif "{kind}" in path:
        requests = [(fill(path, kind=k), {}) for k in ("fire", "medical", "shelter")]
    elif path.endswith("/siting"):
        requests = [(path, {"params": {"k": 1, "method": "greedy"}})]
    assert requests, f"{method} {path}: no request written for this computation"
    for url, kwargs in requests:
        r = s.call(method, url, **kwargs)
        assert r.status_code == 200, (url, r.status_code, r.text)


def _shown(s: Scene, spec: ScopedResource, code: str) -> bool:
    """May a list of ``spec`` show the user a record of division ``code``?"""
    return _in_scope_or_above(s.own, code) if spec.above else code.startswith(s.own)


def check_scoped_list(s: Scene, method: str, path: str, resource: str) -> None:
    spec, ids = SCOPED[resource], s.scoped[resource]
    for params in ({"size": 500}, {"size": 500, "division": s.other}, {"q": MARKER}):
        r = s.call(method, path, params=params)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert all(_shown(s, spec, str(x["division_code"])) for x in items), items
        assert ids["theirs"] not in {x["id"] for x in items}
    mine = s.call(method, path, params={"size": 500}).json()["items"]
    assert ids["mine"] in {x["id"] for x in mine}, f"{path}: the user's own record should be listed: {mine}"
    r = s.call(method, path, params={"format": "geojson"})
    if r.status_code == 200 and "features" in r.json():  # a map layer (routes without one ignore the parameter)
        assert ids["theirs"] not in {f.get("id") for f in r.json()["features"]}, r.text


def check_scoped_create(s: Scene, method: str, path: str, resource: str) -> None:
    spec = SCOPED[resource]
    assert spec.body is not None, f"{resource}: a create route needs a create body in SCOPED"
    r = s.call(method, path, json=spec.body(s.other, "越界"))
    assert r.status_code == 403, r.text


def check_scoped_item(s: Scene, method: str, path: str, resource: str) -> None:
    spec = SCOPED[resource]
    body = {"json": spec.update} if method == "PATCH" else {}
    if method in ("POST", "PUT"):
        body = {"json": spec.sub_body}
    r = s.call(method, fill(path, **{spec.param: s.scoped[resource]["theirs"]}), **body)
    assert r.status_code == 404, r.text


def check_scoped_update(s: Scene, method: str, path: str, resource: str) -> None:
    """404 on the other county's record; nor can the user move a record of its own over there."""
    check_scoped_item(s, method, path, resource)
    spec = SCOPED[resource]
    r = s.call(method, fill(path, **{spec.param: s.scoped[resource]["mine"]}), json={"division_code": s.other})
    moved = r.status_code < 300 and r.json().get("division_code") != s.own
    assert r.status_code in (403, 422) or not moved, r.text


def check_scoped_ingest(s: Scene, method: str, path: str, resource: str) -> None:
    """Readings for the other county's sensor are refused as from an unknown sensor (the ingest sees
    the user's sensors only) and nothing is stored (the administrator's view of its readings is
    compared); the user's own sensor takes the same reading in the same batch."""
    theirs, mine = (_sensor(division, "")["code"] for division in (s.other, s.own))
    ts = utcnow().isoformat()
    r = s.call(method, path, json={"readings": [{"sensor": theirs, "ts": ts, "value": 3.0}]})
    assert r.status_code == 422 and "unknown sensor" in r.text, r.text
    r = s.call(method, path, content=f"sensor,ts,value\n{theirs},{ts},3.0\n".encode(),
               headers={"Content-Type": "text/csv"})
    assert r.status_code == 422 and "unknown sensor" in r.text, r.text
    r = s.call(method, path, json={"readings": [{"sensor": mine, "ts": ts, "value": 3.0},
                                                {"sensor": theirs, "ts": ts, "value": 3.0}]})
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 1 and [x["index"] for x in r.json()["rejected"]] == [1], r.text


@contextmanager
def _settings_with(app: Any, **values: Any) -> Iterator[None]:
    """The app's settings with ``values`` set for the duration (also names Settings does not declare yet)."""
    before = app.state.settings
    app.state.settings = before.model_copy(update=values)
    try:
        yield
    finally:
        app.state.settings = before


def check_scoped_feed(s: Scene, method: str, path: str, resource: str) -> None:
    """The Atom feed of active warnings: a logged-in reader gets the warnings of its scope only.
    Without credentials the feed is 401 — unless a deployment makes it public with the setting
    ``cap_feed_public`` (see docs/cap.md), which serves the whole city's warnings to anonymous
    readers (as a viewer) and leaves a logged-in reader's feed scoped; both settings are checked."""
    ids = s.scoped[resource]

    def cap_link(warning_id: int) -> str:
        return f"/api/v1/warnings/{warning_id}/cap"

    anon = TestClient(s.clients.app)
    for public in (False, True):
        with _settings_with(s.clients.app, cap_feed_public=public):
            r = s.call(method, path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml"), r.text
            assert cap_link(ids["mine"]) in r.text and cap_link(ids["theirs"]) not in r.text, r.text
            r = anon.request(method, path)  # not in s.responses: the public feed is the city's by design
            if public:
                assert r.status_code == 200 and cap_link(ids["theirs"]) in r.text, r.text
            else:
                assert r.status_code == 401, r.text
    # the setting as this deployment has it
    expected = 200 if getattr(s.clients.app.state.settings, "cap_feed_public", False) else 401
    assert anon.request(method, path).status_code == expected


#: A ``refused`` route -> the permission it needs, which the county role does not have
REFUSED: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/api/v1/warnings/import"): ("warnings", "import"),
    ("POST", "/api/v1/warnings/import/feed"): ("warnings", "import"),
}


def check_refused(s: Scene, method: str, path: str, _resource: str) -> None:
    """A permission the county role lacks (the matrix says so): 403, before the body is read."""
    resource, action = REFUSED[(method, path)]
    assert action not in MATRIX["county"].get(resource, set()), (
        f"county users now have {resource}:{action}: classify {method} {path} for what they can reach")
    bodies: dict[str, dict[str, Any]] = {
        "/import": {"content": b"<alert/>", "headers": {"Content-Type": "application/cap+xml"}},
        "/import/feed": {"json": {"url": "http://127.0.0.1:9/feed.xml", "division_code": s.other}},
    }
    r = s.call(method, path, **next(v for k, v in bodies.items() if path.endswith(k)))
    assert r.status_code == 403, r.text


#: Query parameters of the city-wide GET routes (each set is one request; default: one without any)
CITYWIDE_PARAMS: dict[str, list[dict[str, Any]]] = {
    f"{SV}/tasks": [{"size": 500}, {"q": MARKER}],
    f"{SV}/progress": [{"size": 500}],
    f"{SV}/indicators/{{key}}/history": [{"since": "2020-01-01"}],
    f"{SV}/statistics/rates": [{"year": 2021}],
    f"{SV}/monthly-report": [{"month": "2022-06", "format": "docx"}, {"month": "2022-06", "format": "xlsx"}],
}
#: Valid bodies of the city-wide writes, so that a refusal is the permission's, not the body's
CITYWIDE_WRITES: dict[tuple[str, str], Callable[[Scene], dict[str, Any]]] = {
    ("POST", f"{SV}/plans"): lambda s: {"json": s.citywide["document"]},
    ("POST", f"{SV}/tasks/{{task_id}}/progress"): lambda s: {"json": {"percent": 50, "narrative": "越界"}},
    ("PATCH", f"{SV}/progress/{{report_id}}"): lambda s: {"json": {"percent": 60}},
    ("POST", f"{SV}/progress/{{report_id}}/confirm"): lambda s: {"json": {"note": "越界"}},
    ("POST", f"{SV}/progress/{{report_id}}/return"): lambda s: {"json": {"note": "越界"}},
    ("POST", f"{SV}/progress/{{report_id}}/evidence"): lambda s: {"files": {"file": ("x.txt", b"x", "text/plain")}},
    ("POST", f"{SV}/indicators/snapshot"): lambda s: {},
    ("POST", f"{SV}/indicators/{{key}}/values"): lambda s: {"json": {"value": 1.0, "source": "越界"}},
}


def check_citywide(s: Scene, method: str, path: str, _resource: None) -> None:
    """City-wide data (the action plan, its tasks and reports, indicators, the dashboard, the monthly
    report): a county user reads it (200), and what in it is division-bound (per-division rows)
    names only the user's county and those above it; the county role may change none of it (403)."""
    url = fill(path, **s.citywide)
    if method == "GET":
        for params in CITYWIDE_PARAMS.get(path, [{}]):
            r = s.call(method, url, params=params)
            assert r.status_code == 200, (url, params, r.text[:500])
            if r.headers.get("content-type", "").startswith("application/json"):
                shown = set(_divisions(r.json()))
                assert all(_in_scope_or_above(s.own, code) for code in shown), (url, sorted(shown))
        return
    assert (method, path) in CITYWIDE_WRITES, f"{method} {path}: write a valid body in CITYWIDE_WRITES"
    r = s.call(method, url, **CITYWIDE_WRITES[(method, path)](s))
    assert r.status_code == 403, (url, r.text)


def check_reference(s: Scene, method: str, path: str, _resource: None) -> None:
    r = s.call(method, fill(path, key="0"))
    assert r.status_code in (200, 404), r.text


def check_stream(_s: Scene, _method: str, _path: str, _resource: None) -> None:
    """An endless stream cannot be read to its end by this test; what it sends is filtered per user
    by ``yingji.events.scope.visible``, which the events domain's own tests cover."""


def check_swept(_s: Scene, _method: str, _path: str, _resource: str) -> None:
    """Swept by the domain's own route-scope test (SWEPT names it), which builds the records the
    routes need and classifies every route of its domain (it fails on an unclassified one)."""


CHECKS: dict[str, Callable[..., None]] = {
    "list": check_list, "export": check_export, "template": check_template, "import": check_import,
    "create": check_create, "read": check_read, "update": check_update, "delete": check_delete,
    "login": check_login, "self": check_self, "admin_only": check_admin_only,
    "closure_list": check_closure_list, "closure_report": check_closure_report,
    "closure_create": check_closure_create, "closure_read": check_closure_read,
    "closure_update": check_closure_update, "closure_delete": check_closure_read, "compute": check_compute,
    "scoped_list": check_scoped_list, "scoped_create": check_scoped_create, "scoped_read": check_scoped_item,
    "scoped_update": check_scoped_update, "scoped_delete": check_scoped_item, "scoped_sub": check_scoped_item,
    "scoped_ingest": check_scoped_ingest, "scoped_feed": check_scoped_feed, "refused": check_refused,
    "citywide": check_citywide, "reference": check_reference, "stream": check_stream, "swept": check_swept,
}


@pytest.fixture
def settings(demo_network_dir: Path) -> Settings:
    """The suite's settings with the demo road network, so routing answers from real data."""
    return settings_with_network(demo_network_dir)


def _closure(admin: TestClient, division: str, reason: str) -> int:
    """A road closure made through the API (so it is resolved against the current network)."""
    lon, lat = point(division, 40).values()  # away from the resources and the query points
    d = 0.01
    area = {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                                [lon - d, lat + d], [lon - d, lat - d]]]}
    r = admin.post("/api/v1/routing/closures", json={"reason": reason, "division_code": division, "area": area,
                                                     "opened_at": (utcnow() - timedelta(hours=1)).isoformat()})
    assert r.status_code == 201, r.text
    closure_id: int = r.json()["id"]
    return closure_id


def group_of(kind: str, resource: str | None) -> str:
    """Routes are checked in groups, so that one domain's trouble does not hide another's results."""
    if kind.startswith("closure_") or kind == "compute":
        return "routing"
    if kind.startswith("scoped_"):
        assert resource in SCOPED, f"{kind}: {resource!r} is not in SCOPED"
    if resource in SCOPED:
        return resource
    if kind == "citywide":
        return "supervision"
    if kind in ("reference", "stream", "swept"):
        return "reference"
    return "foundation"  # registries, login, the current user, users, audit


GROUPS = ["foundation", "routing", *SCOPED, "supervision", "reference"]


def _seed_supervision(scene: Scene) -> None:
    """The packaged action plan, a progress report with an evidence file (by 市卫生健康委, which
    leads task 22), and statistics and isolation sites in both counties, so that rates, indicator
    details, the dashboard and the monthly report have per-division rows to leak."""
    clients, own, other = scene.clients, scene.own, scene.other
    admin, health = clients["admin"], clients["health"]
    document = json.loads(PACKAGED_PLAN.read_text(encoding="utf-8"))
    r = admin.post(f"{SV}/plans", json=document)
    assert r.status_code == 200, r.text
    tasks = admin.get(f"{SV}/tasks", params={"size": 500}).json()["items"]
    task_id = next(t["id"] for t in tasks if t["number"] == 22)
    report_id = _created(health.post(f"{SV}/tasks/{task_id}/progress", json={"percent": 40, "narrative": "推进中"}))
    evidence_id = _created(health.post(f"{SV}/progress/{report_id}/evidence",
                                       files={"file": ("evidence.txt", b"evidence", "text/plain")}))
    for division, prefix in ((other, MARKER), (own, "")):
        _created(admin.post(f"{SV}/statistics/losses", json=_loss(division, f"{prefix}统计")))
        _created(admin.post(f"{SV}/statistics/gdp", json=_gdp(division, f"{prefix}统计")))
        _created(admin.post("/api/v1/facilities", json={
            "name": f"{prefix}隔离点", "kind": "isolation_site", "division_code": division, "capacity": {"rooms": 120},
            **point(division, 8)}))
    scene.citywide = {"task_id": task_id, "report_id": report_id, "evidence_id": evidence_id,
                      "key": "isolation_rooms_per_county", "document": document}
    scene.watch += [f"{SV}/plans", f"{SV}/progress/{report_id}", f"{SV}/progress/{report_id}/evidence/{evidence_id}",
                    # a reported indicator: reading a computed one records the day's snapshot (by the system)
                    f"{SV}/indicators/county_cdc_bsl2/history?since=2020-01-01"]


def _seed(scene: Scene, group: str) -> None:
    """Records of both counties: of every registry (for the foundation and routing); closures and
    facilities to measure coverage from (routing); the resource's own records (a scoped resource);
    the plan, a report and per-division data (supervision).
    The world's own records of each county (tests/conftest.py) are there in every case."""
    clients, own, other = scene.clients, scene.own, scene.other
    for name, contract_cls in CONTRACTS.items() if group in ("foundation", "routing") else ():
        contract = contract_cls()
        stem = contract.body(division=other, n=1)["name"]
        scene.theirs[name] = contract.create(clients, division=other, n=1, name=f"{MARKER}{stem}")
        scene.mine[name] = contract.create(clients, division=own, n=2)
    if group == "routing":
        for division, prefix in ((other, MARKER), (own, "")):
            for kind, capacity in (("fire_station", {"station_class": "standard_1"}), ("hospital", {"beds": 50}),
                                   ("shelter", {"persons": 500, "area_m2": 1000})):
                body = {"name": f"{prefix}{kind}", "kind": kind, "division_code": division, "capacity": capacity,
                        **point(division, 3)}
                assert clients["admin"].post("/api/v1/facilities", json=body).status_code == 201
        scene.closures = {"theirs": _closure(clients["admin"], other, f"{MARKER}封路"),
                          "mine": _closure(clients["admin"], own, "本地封路")}
    if group in SCOPED:
        spec, ids = SCOPED[group], {}
        for who, division, label in (("theirs", other, f"{MARKER}{group}"), ("mine", own, group)):
            if spec.make is not None:
                ids[who] = spec.make(scene, division, label)
            else:
                assert spec.body is not None, group
                ids[who] = _created(clients["admin"].post(spec.base, json=spec.body(division, label)))
        scene.scoped[group] = ids
    if group == "supervision":
        _seed_supervision(scene)


def test_checks_cover_every_kind() -> None:
    kinds = set(REGISTRY_ROUTES.values()) | set(OTHER_ROUTES.values()) | {k for k, _ in DOMAIN_ROUTES.values()}
    assert set(CHECKS) == kinds
    assert {group_of(*v) for v in classified().values()} == set(GROUPS)
    assert {k for k, (kind, _) in DOMAIN_ROUTES.items() if kind == "refused"} == set(REFUSED)
    assert {k for k, (kind, _) in DOMAIN_ROUTES.items() if kind == "citywide" and k[0] != "GET"} \
        == set(CITYWIDE_WRITES)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize(("user", "own", "other"), [("linqing", "371581", "371502"),
                                                    ("dongchangfu", "371502", "371581")])
def test_county_user_cannot_reach_another_county_through_any_route(
    clients: Any, app: Any, user: str, own: str, other: str, group: str
) -> None:
    """Every classified route of ``group`` (unclassified routes fail test_every_api_route_is_classified)."""
    scene = Scene(clients, user, own, other)
    _seed(scene, group)
    before = scene.admin_view()

    table = classified()
    routes = sorted(r for r in data_routes(app) & set(table) if group_of(*table[r]) == group)
    assert routes, f"no route of group {group} in the app"
    for method, path in routes:
        kind, registry = table[(method, path)]
        if registry in CONTRACTS and kind in ("create", "update", "delete", "import") \
                and kind not in MATRIX["county"][registry]:
            r = scene.call(method, fill(path, key=CONTRACTS[registry]().key(scene.mine[registry])),
                           **({"json": {}} if method in ("POST", "PATCH") else {}))
            assert r.status_code in (403, 422), (method, path, r.text)  # refused by the matrix anyway
        CHECKS[kind](scene, method, path, registry)

    after = scene.admin_view()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"the other county's data changed: {changed}"
    for r, sent in scene.responses:
        text = _text(r)
        for word in scene.forbidden:
            assert word not in text or word.encode() in sent, (r.request.method, str(r.request.url), text[:500])
