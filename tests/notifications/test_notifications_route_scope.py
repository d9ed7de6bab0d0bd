"""Every notification route, swept for division scope: a county user can neither read nor change
another county's subscriptions or delivery log. ``ROUTES`` is the classification that
tests/api/test_route_scope.py points at (SWEPT)."""

from __future__ import annotations

from typing import Any

from yingji.api.app import create_app

NF = "/api/v1/notifications"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", f"{NF}/channels"): "reference", ("GET", f"{NF}/channels/{{channel_id}}"): "reference",
    ("POST", f"{NF}/channels"): "refused", ("PATCH", f"{NF}/channels/{{channel_id}}"): "refused",
    ("DELETE", f"{NF}/channels/{{channel_id}}"): "refused",
    ("GET", f"{NF}/subscriptions"): "list", ("POST", f"{NF}/subscriptions"): "theirs",
    ("GET", f"{NF}/subscriptions/{{subscription_id}}"): "theirs",
    ("PATCH", f"{NF}/subscriptions/{{subscription_id}}"): "theirs",
    ("DELETE", f"{NF}/subscriptions/{{subscription_id}}"): "theirs",
    ("GET", f"{NF}/deliveries"): "list",
}
MARKER = "机密"


def test_routes_table_is_complete(settings: Any, session_factory: Any) -> None:
    app = create_app(settings, session_factory)
    ours = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() if p.startswith(NF) for m in ops}
    assert ours == set(ROUTES)


def test_county_cannot_reach_other_county(clients: Any, http_server: Any) -> None:
    base, _ = http_server
    r = clients["admin"].post(f"{NF}/channels", json={"name": "h", "kind": "webhook", "config": {"url": base}})
    ch = r.json()["id"]
    theirs = clients["dongchangfu"].post(f"{NF}/subscriptions", json={
        "name": f"{MARKER}东昌府", "division_code": "371502", "channel_id": ch, "min_level": 4})
    assert theirs.status_code == 201
    sid = theirs.json()["id"]
    w = clients["commander"].post("/api/v1/warnings", json={"cause": "rainfall", "level": 1,
                                                            "headline": f"{MARKER}暴雨", "division_code": "371502"})
    assert w.status_code in (200, 201)
    c = clients["linqing"]
    for method, path in ROUTES:
        url = path.replace("{channel_id}", str(ch)).replace("{subscription_id}", str(sid))
        kind = ROUTES[(method, path)]
        if "channels" in path:
            body: dict[str, Any] = {"name": "n", "kind": "webhook", "config": {"url": base}} if method == "POST" \
                else {"active": False}
        else:
            body = {"name": "x", "division_code": "371502", "channel_id": ch} if method == "POST" else {"min_level": 1}
        resp = c.request(method, url, json=body if method in ("POST", "PATCH") else None)
        if kind == "reference":
            assert resp.status_code == 200
            continue
        if kind == "list":
            assert resp.status_code == 200 and MARKER not in resp.text, (method, path)
            assert resp.json()["total"] == 0
            continue
        assert resp.status_code in (403, 404), (method, path, resp.status_code)
        assert MARKER not in resp.text
    # nothing changed
    again = clients["dongchangfu"].get(f"{NF}/subscriptions/{sid}")
    assert again.status_code == 200 and again.json()["min_level"] == 4
    assert clients["dongchangfu"].get(f"{NF}/deliveries", params={"warning_id": w.json()["id"]}).json()["total"] >= 1
