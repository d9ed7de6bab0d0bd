"""For every role and every supplies resource, the HTTP API allows or refuses (403) exactly as
``MATRIX`` says (the shared permission test checks only the foundation's resources). Each try uses a
record inside the role's scope, so a refusal can only come from the matrix."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from httpx import Response
from sqlalchemy.orm import Session
from supplykit import Depots, add_lot, point  # type: ignore[import-not-found]

from yingji.auth.enums import Role
from yingji.auth.permissions import MATRIX
from yingji.engines.network.graph import RoadGraph

P = "/api/v1/supplies"
USER_OF_ROLE = {Role.admin: "admin", Role.commander: "commander", Role.duty_officer: "duty",
                Role.department: "health", Role.county: "linqing", Role.viewer: "viewer"}
#: the actions of each supplies resource that have a route
ROUTED = {"supply_items": {"read", "create", "update", "delete"}, "stock": {"read", "create", "update"},
          "supply_norms": {"read", "create", "update", "delete"}, "supply_requests": {"read", "create", "update"},
          "supply_approvals": {"create"}, "dispatch_orders": {"read", "create", "update"}}


def _allowed(r: Response, ok: int, what: str) -> bool:
    assert r.status_code in (ok, 403), f"{what}: {r.status_code} {r.text}"
    return r.status_code == ok


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_supplies_http_answers_follow_the_matrix(
    role: Role, clients: Any, session: Session, depots: Depots, ladder_graph: RoadGraph, world: Any
) -> None:
    username = USER_OF_ROLE[role]
    c, admin = clients[username], clients["admin"]
    county = role == Role.county
    unit = world.units["health"] if role == Role.department else None
    division = "371581" if county else "371500"
    warehouse = depots.linqing if county else depots.city
    holder = {"holder_unit_id": unit} if unit else {}
    observed: dict[str, set[str]] = {}

    def observe(resource: str, tries: dict[str, list[tuple[Callable[[], Response], int]]]) -> None:
        got = set()
        for action, calls in tries.items():
            verdicts = {_allowed(call(), ok, f"{username} {action} {resource}") for call, ok in calls}
            assert len(verdicts) == 1, f"{action} {resource}: routes of one action disagree"
            if verdicts.pop():
                got.add(action)
        observed[resource] = got

    # catalogue
    spare = [admin.post(f"{P}/items", json={"code": f"spare_{n}", "name": f"备用{n}", "category": "other",
                                            "unit": "个"}).json()["id"] for n in (1, 2)]
    observe("supply_items", {
        "read": [(lambda: c.get(f"{P}/items"), 200), (lambda: c.get(f"{P}/items/{spare[0]}"), 200)],
        "create": [(lambda: c.post(f"{P}/items", json={"code": "new_x", "name": "新物资", "category": "other",
                                                        "unit": "个"}), 201)],
        "update": [(lambda: c.patch(f"{P}/items/{spare[0]}", json={"spec": "改"}), 200)],
        "delete": [(lambda: c.delete(f"{P}/items/{spare[1]}"), 204)],
    })
    # stock
    lot = admin.post(f"{P}/lots", json={"warehouse_id": warehouse, "item_id": depots.items["quilt"], "batch": "P-1",
                                        "quantity": 10, **holder}).json()
    observe("stock", {
        "read": [(lambda: c.get(f"{P}/lots"), 200), (lambda: c.get(f"{P}/lots/{lot['id']}"), 200),
                 (lambda: c.get(f"{P}/reports/gap"), 200), (lambda: c.get(f"{P}/reports/rotation"), 200)],
        "create": [(lambda: c.post(f"{P}/lots", json={"warehouse_id": warehouse, "item_id": depots.items["tent"],
                                                       "batch": "P-2", "quantity": 1, **holder}), 201)],
        "update": [(lambda: c.post(f"{P}/lots/{lot['id']}/moves", json={"kind": "receipt", "quantity": 1}), 201)],
    })
    # norms
    norm = admin.post(f"{P}/norms", json={"profile": "county", "item_id": spare[0], "quantity": 1,
                                          "source": "测试"}).json()
    victim = admin.post(f"{P}/norms", json={"profile": "city", "item_id": spare[0], "quantity": 1,
                                            "source": "测试"}).json()
    observe("supply_norms", {
        "read": [(lambda: c.get(f"{P}/norms"), 200), (lambda: c.get(f"{P}/relief-populations"), 200)],
        "create": [(lambda: c.post(f"{P}/norms", json={"profile": "relief", "item_id": spare[0], "quantity": 1,
                                                        "source": "测试"}), 201)],
        "update": [(lambda: c.patch(f"{P}/norms/{norm['id']}", json={"quantity": 2}), 200),
                   (lambda: c.put(f"{P}/relief-populations/{division}", json={"persons": 9, "source": "测试"}), 200)],
        "delete": [(lambda: c.delete(f"{P}/norms/{victim['id']}"), 204)],
    })

    # requests, approvals and dispatch orders
    def request_body(label: str) -> dict[str, Any]:
        return {"division_code": division, "incident_ref": label, "destination": label, **point(ladder_graph, 15),
                "lines": [{"item_id": depots.items["quilt"], "quantity": 2}], **({"unit_id": unit} if unit else {})}

    made = [admin.post(f"{P}/requests", json=request_body(f"申请{n}")).json()["id"] for n in (1, 2, 3)]
    observe("supply_requests", {
        "read": [(lambda: c.get(f"{P}/requests"), 200), (lambda: c.get(f"{P}/requests/{made[0]}"), 200)],
        "create": [(lambda: c.post(f"{P}/requests", json=request_body("新申请")), 201)],
        "update": [(lambda: c.post(f"{P}/requests/{made[1]}/cancel"), 200)],
    })
    observe("supply_approvals", {
        "create": [(lambda: c.post(f"{P}/requests/{made[2]}/decision", json={"decision": "approve"}), 200)]})
    assert admin.post(f"{P}/requests/{made[0]}/decision", json={"decision": "approve"}).status_code == 200
    add_lot(session, depots, warehouse=depots.city, item="quilt", quantity=100, batch="P-3")
    shipment = {"warehouse_id": depots.city, "item_code": "quilt", "quantity": 1, "destination": "X",
                **point(ladder_graph, 15)}
    order = admin.post(f"{P}/dispatch-orders", json={"request_id": made[0], "shipments": [shipment]}).json()[0]
    plan = {"points": [{"name": "X", **point(ladder_graph, 15), "quantities": {"quilt": 1}}]}
    dispatch = {"request_id": made[0], "shipments": [shipment]}
    observe("dispatch_orders", {
        "read": [(lambda: c.get(f"{P}/dispatch-orders"), 200),
                 (lambda: c.get(f"{P}/dispatch-orders/{order['id']}"), 200)],
        "create": [(lambda: c.post(f"{P}/allocation/plan", json=plan), 200),
                   (lambda: c.post(f"{P}/dispatch-orders", json=dispatch), 201)],
        "update": [(lambda: c.post(f"{P}/dispatch-orders/{order['id']}/receipt", json={}), 200)],
    })
    expected = {res: MATRIX[role][res] & routed for res, routed in ROUTED.items()}
    assert observed == expected
