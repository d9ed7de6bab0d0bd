"""For every role, registry and action, the HTTP API allows or refuses (403) exactly as ``MATRIX`` says.

Each check uses a record inside the role's division scope (and, for the department user, of its own
unit), so a refusal can only come from the matrix, never from a row rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import Response

from api.fixtures import settings_with_network
from api.helpers import point, registry_workbook, upload
from registry.test_registry_contracts import CONTRACTS
from yingji.auth.enums import Role
from yingji.auth.permissions import ACTIONS, MATRIX, RESOURCES
from yingji.config import Settings

#: The base user (tests/conftest.py) that holds each role.
USER_OF_ROLE = {
    Role.admin: "admin", Role.commander: "commander", Role.duty_officer: "duty",
    Role.department: "health", Role.county: "linqing", Role.viewer: "viewer",
}
#: Actions on the resources other than registries that have a route; the others exist only in the matrix.
ROUTED = {"users": {"read", "create"}, "audit": {"read"}, "routing": {"read"},
          "road_closures": {"read", "create", "update", "delete"}}


@pytest.fixture
def settings(demo_network_dir: Path) -> Settings:
    """With the demo road network, so that allowed routing requests succeed rather than 404."""
    return settings_with_network(demo_network_dir)


def _area(n: int) -> dict[str, Any]:
    lon, lat = point("371581", 40 + 5 * n).values()
    d = 0.005
    return {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                                [lon - d, lat + d], [lon - d, lat - d]]]}


def _closure_body(n: int) -> dict[str, Any]:
    from yingji.db.base import utcnow

    return {"reason": f"封路{n}", "division_code": "371581", "area": _area(n),
            "opened_at": (utcnow() - timedelta(hours=1)).isoformat()}


def _verdict(r: Response, ok: int, what: str) -> bool:
    assert r.status_code in (ok, 403), f"{what}: {r.status_code} {r.text}"
    return r.status_code == ok


def _observe_registry(clients: Any, username: str, registry: str, unit_id: int | None) -> set[str]:
    """Try every action on ``registry`` as ``username``; return the actions that were allowed."""
    contract = CONTRACTS[registry]()
    client = clients[username]
    target = contract.key(contract.create(clients, division="371581", n=1, unit_id=unit_id))
    victim = contract.key(contract.create(clients, division="371581", n=2, unit_id=unit_id))
    new = contract.new_body(division="371581", n=3, unit_id=unit_id)
    row = contract.new_body(division="371581", n=4, unit_id=unit_id)
    attempts: dict[str, list[tuple[Callable[[], Response], int]]] = {
        "read": [(lambda: client.get(contract.url(target)), 200), (lambda: client.get(contract.base), 200),
                 (lambda: client.get(f"{contract.base}/template"), 200)],
        "create": [(lambda: client.post(contract.base, json=new), 201)],
        "update": [(lambda: client.patch(contract.url(target), json=contract.update), 200)],
        "delete": [(lambda: client.delete(contract.url(victim)), 204)],
        "import": [(lambda: upload(client, registry, registry_workbook(registry, [row])), 200)],
        "export": [(lambda: client.get(f"{contract.base}/export", params={"format": "csv"}), 200),
                   (lambda: client.get(f"{contract.base}/export", params={"format": "xlsx"}), 200)],
    }
    assert set(attempts) == set(ACTIONS)
    allowed = set()
    for action, tries in attempts.items():
        verdicts = {_verdict(call(), ok, f"{username} {action} {registry}") for call, ok in tries}
        assert len(verdicts) == 1, f"{action} {registry}: routes of one action disagree"
        if verdicts.pop():
            allowed.add(action)
    return allowed


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_http_answers_follow_the_matrix(role: Role, clients: Any, world: Any) -> None:
    username = USER_OF_ROLE[role]
    unit_id = world.units["health"] if role == Role.department else None
    observed: dict[str, set[str]] = {}
    for registry in CONTRACTS:
        observed[registry] = _observe_registry(clients, username, registry, unit_id)

    client = clients[username]
    users: set[str] = set()
    if _verdict(client.get("/api/v1/users"), 200, "read users"):
        users.add("read")
    body = {"username": f"new-{role}", "password": "a-long-password-1", "role": "viewer",
            "division_code": "371500"}
    if _verdict(client.post("/api/v1/users", json=body), 201, "create users"):
        users.add("create")
    observed["users"] = users
    observed["audit"] = {"read"} if _verdict(client.get("/api/v1/audit"), 200, "read audit") else set()
    observed["routing"] = {"read"} if _verdict(
        client.get("/api/v1/routing/nearest", params={**point("371581"), "resource": "teams"}), 200, "routing"
    ) else set()
    observed["road_closures"] = _observe_closures(clients, username)

    # the foundation's resources; a domain that registers more (permissions.register) checks its own
    unchecked = set(RESOURCES) - set(observed)
    assert not unchecked, f"foundation resources without an HTTP check here: {sorted(unchecked)}"
    expected = {res: MATRIX[role][res] & ROUTED.get(res, set(ACTIONS)) for res in RESOURCES}
    assert observed == expected


def _observe_closures(clients: Any, username: str) -> set[str]:
    admin, client = clients["admin"], clients[username]
    made = [admin.post("/api/v1/routing/closures", json=_closure_body(n)) for n in (1, 2)]
    assert all(r.status_code == 201 for r in made), [r.text for r in made]
    target, victim = (r.json()["id"] for r in made)
    allowed = set()
    reads = {_verdict(client.get("/api/v1/routing/closures"), 200, "list closures"),
             _verdict(client.get(f"/api/v1/routing/closures/{target}"), 200, "read closure")}
    assert len(reads) == 1
    if reads.pop():
        allowed.add("read")
    if _verdict(client.post("/api/v1/routing/closures", json=_closure_body(3)), 201, "create closure"):
        allowed.add("create")
    if _verdict(client.patch(f"/api/v1/routing/closures/{target}", json={"notes": "x"}), 200, "update closure"):
        allowed.add("update")
    if _verdict(client.delete(f"/api/v1/routing/closures/{victim}"), 204, "delete closure"):
        allowed.add("delete")
    return allowed
