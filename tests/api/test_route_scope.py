"""Every API route, enumerated from ``app.routes``: a county user can neither read nor change another
county's records through any of them.

Each route is classified once below. The classification test fails when a route is added without
being classified here, so a new route cannot escape the division-scope check by accident. For each
route the check substitutes the key of a record owned by the *other* county for the path parameter
and asserts: no 2xx on the other county's data, lists, map layers and exports hold only the user's
own county, imports cannot create or change anything there, and no response so much as names the
other county's records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import sessionmaker

from api.fixtures import settings_with_network
from api.helpers import point, read_csv, read_xlsx, registry_workbook, upload
from registry.test_registry_contracts import CONTRACTS
from yingji.api.app import create_app
from yingji.auth.permissions import MATRIX
from yingji.config import Settings
from yingji.db.base import utcnow
from yingji.registry.specs import REGISTRIES

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
    ``scoped_update``, ``scoped_delete`` (the item route) or ``scoped_sub`` (a collection under an
    item, e.g. a hazard source's assessments), and checked generically: the other county's record
    is 404 through every item route, absent from the list, and cannot be created.
    """

    base: str  # the collection path
    param: str  # the path parameter naming one record
    body: Callable[[str, str], dict[str, Any]]  # (division, name) -> a valid create body
    update: dict[str, Any]
    sub_body: dict[str, Any] = field(default_factory=dict)  # a valid body for POST on a sub-collection


def _hazard_source(division: str, name: str) -> dict[str, Any]:
    return {"name": name, "kind": "hazmat_enterprise", "division_code": division, **point(division, 5)}


SCOPED: dict[str, ScopedResource] = {
    "hazard_sources": ScopedResource(
        "/api/v1/hazard_sources", "hazard_id", _hazard_source, {"notes": "改"},
        sub_body={"assessed_on": "2026-01-01", "likelihood": 2, "consequence": 3, "assessor": "x"}),
}

#: Routes of domain resources: (method, path) -> (kind, resource).
DOMAIN_ROUTES: dict[tuple[str, str], tuple[str, str | None]] = {
    ("GET", "/api/v1/hazard_sources"): ("scoped_list", "hazard_sources"),
    ("POST", "/api/v1/hazard_sources"): ("scoped_create", "hazard_sources"),
    ("GET", "/api/v1/hazard_sources/{hazard_id}"): ("scoped_read", "hazard_sources"),
    ("PATCH", "/api/v1/hazard_sources/{hazard_id}"): ("scoped_update", "hazard_sources"),
    ("DELETE", "/api/v1/hazard_sources/{hazard_id}"): ("scoped_delete", "hazard_sources"),
    ("GET", "/api/v1/hazard_sources/{hazard_id}/assessments"): ("scoped_sub", "hazard_sources"),
    ("POST", "/api/v1/hazard_sources/{hazard_id}/assessments"): ("scoped_sub", "hazard_sources"),
    # reference data that belongs to no division (the same for every user)
    ("GET", "/api/v1/chemicals"): ("reference", None),
    ("GET", "/api/v1/chemicals/{key}"): ("reference", None),
    # an endless server-sent-events stream: not called here (see check_stream)
    ("GET", "/api/v1/events"): ("stream", None),
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


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/, including those of included routers."""
    try:  # FastAPI >= 0.16x includes routers lazily; this flattens them
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI keeps app.routes flat
        contexts: list[Any] = list(app.routes)
    else:
        contexts = list(iter_route_contexts(app.routes))
    routes = set()
    for ctx in contexts:
        original = getattr(ctx, "original_route", ctx)
        path, methods = getattr(ctx, "path", None), getattr(ctx, "methods", None)
        if path and path.startswith("/api/") and methods:
            assert isinstance(original, APIRoute), f"{path}: not an APIRoute ({type(original).__name__})"
            routes |= {(m, path) for m in methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_api_route_is_classified(tmp_path: Any) -> None:
    app = create_app(Settings(env="test", data_dir=tmp_path, secret_key="s" * 40), sessionmaker())
    routes = api_routes(app)
    # the enumeration must see at least what the OpenAPI document publishes
    published = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() if p.startswith("/api/")
                 for m in ops}
    assert published <= routes, sorted(published - routes)
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
            out[name] = admin.get(f"{SCOPED[name].base}/{ids['theirs']}").json()
        if self.closures:
            out["closure"] = admin.get(f"/api/v1/routing/closures/{self.closures['theirs']}").json()
            out["closures"] = sorted(c["id"] for c in admin.get("/api/v1/routing/closures").json()["items"]
                                     if c["division_code"].startswith(self.other))
        return out


def _text(r: Response) -> str:
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("application/vnd.openxmlformats"):
        return repr(read_xlsx(r.content))
    return r.content.decode("utf-8", errors="replace")


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


def check_scoped_list(s: Scene, method: str, path: str, resource: str) -> None:
    theirs = s.scoped[resource]["theirs"]
    for params in ({"size": 500}, {"size": 500, "division": s.other}, {"q": MARKER}):
        r = s.call(method, path, params=params)
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert all(str(x["division_code"]).startswith(s.own) for x in items), items
        assert theirs not in {x["id"] for x in items}
    r = s.call(method, path, params={"format": "geojson"})
    if r.status_code == 200:
        assert theirs not in {f.get("id") for f in r.json()["features"]}, r.text


def check_scoped_create(s: Scene, method: str, path: str, resource: str) -> None:
    r = s.call(method, path, json=SCOPED[resource].body(s.other, "越界"))
    assert r.status_code == 403, r.text


def check_scoped_item(s: Scene, method: str, path: str, resource: str) -> None:
    spec = SCOPED[resource]
    body = {"json": spec.update} if method == "PATCH" else {}
    if method == "POST":
        body = {"json": spec.sub_body}
    r = s.call(method, fill(path, **{spec.param: s.scoped[resource]["theirs"]}), **body)
    assert r.status_code == 404, r.text


def check_reference(s: Scene, method: str, path: str, _resource: None) -> None:
    r = s.call(method, fill(path, key="0"))
    assert r.status_code in (200, 404), r.text


def check_stream(_s: Scene, _method: str, _path: str, _resource: None) -> None:
    """An endless stream cannot be read to its end by this test; what it sends is filtered per user
    by ``yingji.events.scope.visible``, which the events domain's own tests cover."""


CHECKS: dict[str, Callable[..., None]] = {
    "list": check_list, "export": check_export, "template": check_template, "import": check_import,
    "create": check_create, "read": check_read, "update": check_update, "delete": check_delete,
    "login": check_login, "self": check_self, "admin_only": check_admin_only,
    "closure_list": check_closure_list, "closure_report": check_closure_report,
    "closure_create": check_closure_create, "closure_read": check_closure_read,
    "closure_update": check_closure_update, "closure_delete": check_closure_read, "compute": check_compute,
    "scoped_list": check_scoped_list, "scoped_create": check_scoped_create, "scoped_read": check_scoped_item,
    "scoped_update": check_scoped_item, "scoped_delete": check_scoped_item, "scoped_sub": check_scoped_item,
    "reference": check_reference, "stream": check_stream,
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
        assert resource is not None
        return resource
    if kind in ("reference", "stream"):
        return "reference"
    return "foundation"  # registries, login, the current user, users, audit


GROUPS = ["foundation", "routing", *SCOPED, "reference"]


def _seed(scene: Scene, group: str) -> None:
    """Records of both counties: of every registry (for the foundation and routing); closures and
    facilities to measure coverage from (routing); the resource's own records (a scoped resource).
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
            r = clients["admin"].post(spec.base, json=spec.body(division, label))
            assert r.status_code == 201, r.text
            ids[who] = r.json()["id"]
        scene.scoped[group] = ids


def test_checks_cover_every_kind() -> None:
    kinds = set(REGISTRY_ROUTES.values()) | set(OTHER_ROUTES.values()) | {k for k, _ in DOMAIN_ROUTES.values()}
    assert set(CHECKS) == kinds
    assert {group_of(*v) for v in classified().values()} == set(GROUPS)


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
    routes = sorted(r for r in api_routes(app) & set(table) if group_of(*table[r]) == group)
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
