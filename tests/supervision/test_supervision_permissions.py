"""The supervision resources are in the shared matrix, and the HTTP API allows or refuses (403)
exactly as it says, for one route per (resource, action) that has one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from httpx import Response
from svhelpers import API  # type: ignore[import-not-found]

from yingji.auth.enums import Role
from yingji.auth.permissions import ACTIONS, MATRIX
from yingji.supervision.permissions import GRANTS, RESOURCES
from yingji.supervision.service import PACKAGED_PLAN

USER_OF_ROLE = {Role.admin: "admin", Role.commander: "commander", Role.duty_officer: "duty",
                Role.department: "health", Role.county: "linqing", Role.viewer: "viewer"}


def test_grants_are_registered_in_the_matrix() -> None:
    for resource in RESOURCES:
        assert MATRIX[Role.admin][resource] == set(ACTIONS)
        for role in Role:
            if role != Role.admin:
                assert MATRIX[role][resource] == GRANTS[resource].get(role.value, set())
                assert MATRIX[role][resource] <= set(ACTIONS)
    assert MATRIX[Role.viewer]["progress_reports"] == {"read"}
    assert "create" in MATRIX[Role.department]["progress_reports"]


@pytest.mark.usefixtures("plan")
@pytest.mark.parametrize("role", list(Role))
def test_http_follows_the_matrix(role: Role, clients: Any, task_ids: dict[int, int]) -> None:
    c = clients[USER_OF_ROLE[role]]
    doc = json.loads(PACKAGED_PLAN.read_text(encoding="utf-8"))
    own_division = "371581" if role == Role.county else "371500"
    probes: dict[tuple[str, str], tuple[Callable[[], Response], int]] = {
        ("action_tasks", "read"): (lambda: c.get(f"{API}/tasks"), 200),
        ("action_tasks", "export"): (lambda: c.get(f"{API}/monthly-report", params={"month": "2022-06"}), 200),
        ("action_tasks", "import"): (lambda: c.post(f"{API}/plans", json=doc), 200),
        ("progress_reports", "read"): (lambda: c.get(f"{API}/progress"), 200),
        # task 22 is led by 市卫生健康委, the department user's unit; the administrator names it
        ("progress_reports", "create"): (lambda: c.post(f"{API}/tasks/{task_ids[22]}/progress", json={
            "percent": 10, "narrative": "x", **({"unit_id": 1} if role == Role.admin else {})}), 201),
        ("indicators", "read"): (lambda: c.get(f"{API}/indicators/infectious_disease_beds"), 200),
        ("indicators", "update"): (lambda: c.post(f"{API}/indicators/snapshot"), 200),
        ("indicators", "create"): (lambda: c.post(f"{API}/indicators/county_cdc_bsl2/values",
                                                  json={"value": 50, "source": "x"}), 201),
        ("loss_statistics", "read"): (lambda: c.get(f"{API}/statistics/losses"), 200),
        ("loss_statistics", "create"): (lambda: c.post(f"{API}/statistics/gdp", json={
            "division_code": own_division, "year": 2021, "gdp_100m_yuan": 100}), 201),
    }
    for (resource, action), (call, expected) in probes.items():
        r = call()
        if role == Role.admin and (resource, action) == ("progress_reports", "create"):
            assert r.status_code in (201, 422), r.text  # unit 1 may not own the task: a 422, not a 403
            continue
        allowed = action in MATRIX[role][resource]
        assert r.status_code == (expected if allowed else 403), f"{role} {action} {resource}: {r.status_code} {r.text}"
